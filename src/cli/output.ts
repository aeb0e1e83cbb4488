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

let defaultStream: NodeJS.WritableStream | undefined;

/** Where every Output without its own `stream` prints (`--logfile`); process.stdout when unset. */
export function setDefaultOutputStream(stream: NodeJS.WritableStream | undefined): void {
  defaultStream = stream;
}

/**
 * Prints events. Text mode: `label text`, the label coloured on a TTY. JSON mode: one object per
 * line, `{"event": label, ...fields}`, bytes as base64.
 */
export class Output {
  readonly json: boolean;
  readonly color: boolean;
  /** Printing to a terminal: a peer's control characters are shown escaped, never interpreted. */
  readonly terminal: boolean;
  private readonly stream: NodeJS.WritableStream;

  constructor(options: OutputOptions = {}) {
    this.stream = options.stream ?? defaultStream ?? process.stdout;
    this.json = options.json === true;
    this.terminal = (this.stream as { isTTY?: boolean }).isTTY === true;
    this.color = !this.json && colorEnabled(this.stream as { isTTY?: boolean }, options.env);
  }

  /** Text from a peer, made safe for this output: on a terminal its control characters are escaped. */
  safe(text: string): string {
    return this.terminal && !this.json ? escapeControls(text) : text;
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

// C0 controls but tab and line feed, DEL, and the C1 controls (U+009B is a one-character CSI on many terminals).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Escapes the characters a terminal would act on (escape sequences that move the cursor, retitle
 * the window, clear the screen …): `\x1b` is printed as the four characters `\x1b`.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Renders a payload for a text line: text as is, binary as a short byte summary. */
export function describePayload(data: string | Uint8Array): string {
  return typeof data === 'string' ? data : `<${data.byteLength} bytes binary>`;
}
