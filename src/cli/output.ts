/** How the tool prints: coloured lines on a terminal, plain lines in a pipe, JSON lines with --json. */

/** The colour of an event line's label. */
export type Tone = 'green' | 'red' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray';

const ANSI: Record<Tone, [number, number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
};

/** A value printed in a JSON line: Uint8Array fields become base64 strings. */
export type EventFields = Record<string, unknown>;

export interface OutputOptions {
  /** One JSON object per line instead of readable text. */
  json?: boolean;
  /** Defaults to process.stdout. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Colours only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Prints events. Text mode: `label text`, the label coloured on a TTY. JSON mode: one object per
 * line, `{"event": label, ...fields}`, bytes as base64.
 */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  private readonly stream: NodeJS.WritableStream;

  constructor(options: OutputOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.json = options.json === true;
    this.color = !this.json && colorEnabled(this.stream as { isTTY?: boolean }, options.env);
  }

  /** One event: a coloured label and readable text, or one JSON line with the fields. */
  event(label: string, tone: Tone, text: string, fields: EventFields = {}): void {
    if (this.json) {
      this.stream.write(JSON.stringify({ event: label, ...fields }, jsonValue) + '\n');
      return;
    }
    this.stream.write(`${this.paint(tone, label)}${text ? ' ' + text : ''}\n`);
  }

  /** A raw line (payloads, HTTP bodies): printed as is, also in JSON mode (callers choose). */
  line(text: string): void {
    this.stream.write(text + '\n');
  }

  paint(tone: Tone, text: string): string {
    if (!this.color) return text;
    const [open, close] = ANSI[tone];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }
}

/** Renders a payload for a text line: text as is, binary as a short byte summary. */
export function describePayload(data: string | Uint8Array): string {
  return typeof data === 'string' ? data : `<${data.byteLength} bytes binary>`;
}
