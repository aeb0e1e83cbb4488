import { MAX_CLOSE_REASON_BYTES, MAX_CONTROL_PAYLOAD } from './constants';
import { sendDataSize, utf8Length } from './utf8';

// RFC 9110 §5.6.2 tchar: subprotocol names (RFC 6455 §4.1), HTTP methods and header names.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `value` is an HTTP token (RFC 9110 §5.6.2): a subprotocol name, a method, a header name. */
export function isToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/**
 * Whether `code` may be sent in a close frame (RFC 6455 §7.4.1, §7.4.2): 1000–1003,
 * 1007–1014 and the registered/private range 3000–4999. 1004–1006 and 1015 are reserved.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/** Throws a RangeError that says what to do when a close code or reason cannot be sent. */
export function assertCloseArgs(code: number, reason: string): void {
  if (!isValidCloseCode(code)) {
    throw new RangeError(
      `Invalid close code ${code}: use 1000 (normal), 1001–1003, 1007–1014 or an application code in 3000–4999`,
    );
  }
  if (utf8Length(reason) > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(
      `Close reason is ${utf8Length(reason)} bytes in UTF-8; at most ${MAX_CLOSE_REASON_BYTES} fit in a close frame`,
    );
  }
}

/**
 * Why `data` cannot be the payload of a ping or pong (RFC 6455 §5.5: at most 125 bytes), or
 * undefined when it can; `what` names it in the answer (`'A ping payload'`).
 */
export function controlPayloadProblem(what: string, data: string | Uint8Array | ArrayBuffer | undefined): string | undefined {
  if (data === undefined) return undefined;
  const size = sendDataSize(data);
  if (!(size > MAX_CONTROL_PAYLOAD)) return undefined;
  return `${what} is ${size} bytes; control frames carry at most ${MAX_CONTROL_PAYLOAD} bytes (RFC 6455 §5.5)`;
}

/** Throws a RangeError when a ping or pong payload exceeds the control-frame limit. */
export function assertControlPayload(kind: 'ping' | 'pong', data: string | Uint8Array | ArrayBuffer | undefined): void {
  const problem = controlPayloadProblem(`A ${kind} payload`, data);
  if (problem !== undefined) throw new RangeError(problem);
}

/**
 * The longest delay a timer honours, in ms (about 24.8 days): `setTimeout` and `setInterval`
 * run a longer (or infinite) delay after 1 ms instead, in Node and in browsers.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a duration option allows besides 1..MAX_TIMER_MS ms. */
export interface DurationRule {
  /** 0 is allowed (it means "none" or "at once", as the option documents). Default false. */
  zero?: boolean;
}

/**
 * Why `value` cannot be used as the duration option `name` (a number of ms within what a timer
 * honours), or undefined when it can. The one duration rule of rxws: each entry point wraps the
 * answer in its own error class (WebSocketError, RangeError, HttpError, ServeOptionsError).
 *
 * @example
 * durationProblem('handshakeTimeoutMs', Infinity);
 * // "handshakeTimeoutMs must be a finite number of milliseconds from 1 to 2147483647 (about 24.8 days), got Infinity: ..."
 * durationProblem('timeoutMs', 0, { zero: true }); // undefined
 */
export function durationProblem(name: string, value: unknown, rule: DurationRule = {}): string | undefined {
  const min = rule.zero === true ? 0 : 1;
  if (typeof value === 'number' && value >= min && value <= MAX_TIMER_MS) return undefined;
  const shown = typeof value === 'number' ? String(value) : typeof value === 'string' ? JSON.stringify(value) : typeof value;
  const hint = typeof value === 'number' && value > MAX_TIMER_MS
    ? ": timers cannot wait longer and would fire at once" + (rule.zero === true ? '; use 0 for no deadline' : '')
    : '';
  return `${name} must be a finite number of milliseconds from ${min} to ${MAX_TIMER_MS} (about 24.8 days), got ${shown}${hint}`;
}

/**
 * Why `value` cannot be the retry limit `name` (a whole number >= 0, or Infinity for none), or
 * undefined when it can. The one retry-limit rule: `reconnect`'s and the Redis adapter's `maxRetries`.
 */
export function retryLimitProblem(name: string, value: unknown): string | undefined {
  if (value === Infinity || (typeof value === 'number' && Number.isInteger(value) && value >= 0)) return undefined;
  return `${name} must be a whole number >= 0 or Infinity, got ${String(value)}`;
}

/** Throws a RangeError when `value` is not a usable duration option `name` (see `durationProblem`). */
export function assertDuration(name: string, value: unknown, rule: DurationRule = {}): void {
  const problem = durationProblem(name, value, rule);
  if (problem !== undefined) throw new RangeError(problem);
}

/** What a value is, in an error message: `null`, `an object (Object)`, `a number`, `an Int16Array`. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
  return `a ${typeof value}`;
}

/**
 * Throws a TypeError unless `data` is a message rxws can send: a string (a text frame), a
 * Uint8Array (a Node Buffer is one) or an ArrayBuffer (binary frames). Checked by every `send`
 * before anything is queued or written, so a bad value never fails later, at a flush.
 */
export function assertSendData(data: unknown, what = 'send()'): void {
  if (typeof data === 'string' || data instanceof Uint8Array || data instanceof ArrayBuffer) return;
  const hint = ArrayBuffer.isView(data)
    ? ': pass new Uint8Array(view.buffer, view.byteOffset, view.byteLength) to send its bytes'
    : ': serialize it first, e.g. JSON.stringify(value)';
  throw new TypeError(`${what} takes a string, a Uint8Array (or Buffer) or an ArrayBuffer, got ${describeValue(data)}${hint}`);
}
