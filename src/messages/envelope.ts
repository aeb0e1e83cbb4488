// The envelope of the rxws message protocol (docs/protocol.md): its types, limits, error codes,
// and the one function that checks a decoded value is an envelope. Browser-safe: no Node built-ins.
import { RxwsError } from '../core/errors';
import type { Codec, RawData } from './codecs';

/** The protocol version this code speaks (docs/protocol.md, Versioning). */
export const PROTOCOL_VERSION = 1;
/** Requests running per connection beyond which a new one is refused with TOO_MANY_REQUESTS. */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/** Reply values kept per request (client away or slow) beyond which it ends with BUFFER_OVERFLOW. */
export const DEFAULT_MAX_BUFFERED_VALUES = 1000;
/** How long the server remembers a (session, id) after its request ended. */
export const DEFAULT_DEDUP_WINDOW_MS = 60_000;
/** Longest `target` or `channel`, in characters. */
export const MAX_NAME_LENGTH = 256;
/** A session is 8 to 128 characters of [A-Za-z0-9_-]. */
export const SESSION_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/** Error codes of the protocol (docs/protocol.md, Errors); applications may send their own. */
export type MessageErrorCode =
  | 'DECODE_FAILED'
  | 'INVALID_ENVELOPE'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_TARGET'
  | 'TOO_MANY_REQUESTS'
  | 'DUPLICATE_ID'
  | 'HANDLER_FAILED'
  | 'BUFFER_OVERFLOW'
  | 'REPLAY_LOST'
  | 'CANCELLED'
  | 'REQUEST_TIMEOUT'
  | 'CONNECTION_LOST'
  | 'INVALID_OPTIONS'
  | 'CHANNEL_REFUSED'
  | 'CHANNEL_CLOSED';

/** A resume position in a channel's history (issue 20): `epoch` changes when history is lost. */
export interface Position {
  readonly epoch: string;
  readonly offset: number;
}

/** First envelope of a connection, client → server. */
export interface HelloEnvelope { readonly k: 'hello'; readonly v: number; readonly session: string }
/** The server's answer to `hello`. `acks`: the server acknowledges `msg`s that carry an `id` (`ack`). */
export interface WelcomeEnvelope { readonly k: 'welcome'; readonly v: number; readonly session: string; readonly maxInFlight: number; readonly dedupWindowMs: number; readonly acks?: boolean }
/** A plain application message; `id` (client → server, with a session): its number in the session's message sequence. */
export interface MsgEnvelope { readonly k: 'msg'; readonly body: unknown; readonly id?: number }
/** Server → client: every `msg` of the session with an `id` up to this one has been received. */
export interface AckEnvelope { readonly k: 'ack'; readonly id: number }
/**
 * A request to the handler `target`. `from`: reply values already received (re-sent request).
 * `acked`: every request of the session with a lower id has ended at the client.
 */
export interface ReqEnvelope { readonly k: 'req'; readonly id: number; readonly target: string; readonly body?: unknown; readonly from?: number; readonly acked?: number }
/** Reply value number `n` of request `id`. */
export interface NextEnvelope { readonly k: 'next'; readonly id: number; readonly n: number; readonly body: unknown }
/** The one reply value and completion. */
export interface ResEnvelope { readonly k: 'res'; readonly id: number; readonly body: unknown }
/** Request `id` completed. */
export interface DoneEnvelope { readonly k: 'done'; readonly id: number }
/** Request (or subscription) `id` failed; without `id`, an error about the connection. */
export interface ErrEnvelope { readonly k: 'err'; readonly id?: number; readonly code: string; readonly message: string; readonly data?: unknown }
/** The client no longer wants request `id`. */
export interface CancelEnvelope { readonly k: 'cancel'; readonly id: number }
/** Subscribe to `channel`, optionally from a position. */
export interface SubEnvelope { readonly k: 'sub'; readonly id: number; readonly channel: string; readonly resume?: Position }
/** Subscription `id` accepted. */
export interface SubOkEnvelope { readonly k: 'subok'; readonly id: number; readonly channel: string; readonly recovered?: boolean; readonly epoch?: string; readonly offset?: number }
/** Leave `channel`. */
export interface UnsubEnvelope { readonly k: 'unsub'; readonly channel: string }
/** A publication on a subscribed channel. */
export interface PubEnvelope { readonly k: 'pub'; readonly channel: string; readonly body: unknown; readonly epoch?: string; readonly offset?: number }

/** Every envelope, discriminated by `k`. */
export type Envelope =
  | HelloEnvelope
  | WelcomeEnvelope
  | MsgEnvelope
  | AckEnvelope
  | ReqEnvelope
  | NextEnvelope
  | ResEnvelope
  | DoneEnvelope
  | ErrEnvelope
  | CancelEnvelope
  | SubEnvelope
  | SubOkEnvelope
  | UnsubEnvelope
  | PubEnvelope;

/** The kinds of envelope. */
export type EnvelopeKind = Envelope['k'];

/** What the far end sent, as a value carried across: `code`, `reason` (the wire's `message`), `data`. */
interface MessageErrorFields {
  code: MessageErrorCode | (string & {});
  data?: unknown;
  /** The raw frame, for DECODE_FAILED. */
  raw?: RawData;
  cause?: unknown;
}

/** How a MessageError is made: `{ code, reason, data?, raw?, cause? }` (`message` is the older name of `reason`). */
export type MessageErrorInit = MessageErrorFields &
  ({ reason: string; message?: undefined } | { /** @deprecated Use `reason`, as every rxws error does. */ message: string; reason?: undefined });

/**
 * An error of the message layer: a request that failed (the server's `code`, `message` and
 * `data`, carried across), timed out or was refused, or a frame that did not decode (`raw`,
 * `cause`). Switch on `code`.
 *
 * @example
 * client.request('add', { a: 1, b: 2 }).subscribe({
 *   error: (e: MessageError) => console.warn(e.code, e.reason, e.data),
 * });
 */
export class MessageError extends RxwsError<MessageErrorCode | (string & {})> {
  override readonly name = 'MessageError';
  /** Extra data the sender attached. */
  readonly data: unknown;
  /** For DECODE_FAILED: the frame as received. */
  readonly raw: RawData | undefined;

  constructor(init: MessageErrorInit) {
    super({ code: init.code, reason: init.reason ?? init.message, cause: init.cause });
    this.data = init.data;
    this.raw = init.raw;
  }
}

/** The result of reading a frame: an envelope, or the error to report for it. */
export type ReadResult = { readonly ok: true; readonly envelope: Envelope } | { readonly ok: false; readonly error: MessageError };

const KINDS: ReadonlySet<string> = new Set(['hello', 'welcome', 'msg', 'ack', 'req', 'next', 'res', 'done', 'err', 'cancel', 'sub', 'subok', 'unsub', 'pub']);

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= MAX_NAME_LENGTH;

/** Why `value` is not an envelope, or undefined when it is one (docs/protocol.md, The envelope). */
export function envelopeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'an envelope is an object with a field "k"';
  const e = value as Record<string, unknown>;
  const k = e.k;
  // The per-message kinds first, with no closure made: this runs for every frame.
  if ((k === 'next' && isCount(e.n)) || k === 'res' || k === 'done' || (k === 'req' && isName(e.target) && (e.from === undefined || isCount(e.from)) && (e.acked === undefined || isCount(e.acked)))) {
    if (isId(e.id)) return undefined;
  } else if (k === 'msg' && (e.id === undefined || isId(e.id))) {
    return undefined;
  }
  if (typeof k !== 'string' || !KINDS.has(k)) return `unknown envelope kind ${JSON.stringify(k)}; known: ${[...KINDS].join(', ')}`;
  const need = (field: string, ok: (v: unknown) => boolean, what: string, optional = false): string | undefined =>
    (optional && e[field] === undefined) || ok(e[field]) ? undefined : `"${k}" needs "${field}": ${what}`;
  const id = (optional = false) => need('id', isId, 'an integer from 1 to 2^53-1', optional);
  const name = (field: string) => need(field, isName, `a string of 1 to ${MAX_NAME_LENGTH} characters`);
  const isString = (v: unknown) => typeof v === 'string';
  switch (k) {
    case 'hello':
      return need('v', isCount, 'the protocol version') ?? need('session', (v) => typeof v === 'string' && SESSION_PATTERN.test(v), '8 to 128 characters of A-Z a-z 0-9 _ -');
    case 'welcome':
      return need('v', isCount, 'the protocol version') ?? need('session', isString, 'a string') ?? need('maxInFlight', isCount, 'an integer') ?? need('dedupWindowMs', isCount, 'an integer') ?? need('acks', (v) => typeof v === 'boolean', 'a boolean', true);
    case 'msg':
      return id(true);
    case 'ack':
      return id();
    case 'req':
      return id() ?? name('target') ?? need('from', isCount, 'an integer >= 0', true) ?? need('acked', isCount, 'an integer >= 0', true);
    case 'next':
      return id() ?? need('n', isCount, 'an integer >= 0');
    case 'res':
    case 'done':
    case 'cancel':
      return id();
    case 'err':
      return id(true) ?? need('code', isName, 'a string') ?? need('message', isString, 'a string');
    case 'sub':
      return id() ?? name('channel') ?? need('resume', isPosition, 'an object { epoch: string, offset: integer >= 0 }', true);
    case 'subok':
      return id() ?? name('channel') ?? need('recovered', (v) => typeof v === 'boolean', 'a boolean', true) ?? need('epoch', isString, 'a string', true) ?? need('offset', isCount, 'an integer >= 0', true);
    case 'unsub':
      return name('channel');
    case 'pub':
      return name('channel') ?? need('epoch', isString, 'a string', true) ?? need('offset', isCount, 'an integer >= 0', true);
  }
  return undefined;
}

function isPosition(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const p = v as Record<string, unknown>;
  return typeof p.epoch === 'string' && isCount(p.offset);
}

/**
 * Decodes a frame with `codec` and checks it is an envelope. Never throws: a frame that does not
 * decode gives DECODE_FAILED (with the raw frame and the codec's error as cause), one that is not
 * an envelope gives INVALID_ENVELOPE.
 *
 * @example
 * const read = readEnvelope(json(), '{"k":"res","id":1,"body":5}', false);
 * if (read.ok && read.envelope.k === 'res') console.log(read.envelope.body);
 */
export function readEnvelope(codec: Codec<unknown, unknown>, data: RawData, binary: boolean): ReadResult {
  let value: unknown;
  try {
    value = codec.decode(data, binary);
  } catch (cause) {
    return { ok: false, error: decodeFailed(codec, data, cause) };
  }
  const problem = envelopeProblem(value);
  if (problem !== undefined) return { ok: false, error: new MessageError({ code: 'INVALID_ENVELOPE', reason: `Not an rxws envelope: ${problem} (docs/protocol.md)`, raw: data }) };
  return { ok: true, envelope: value as Envelope };
}

/** The DECODE_FAILED error for `data`, naming the codec and its reason. */
export function decodeFailed(codec: Codec<unknown, unknown>, data: RawData, cause: unknown): MessageError {
  const why = cause instanceof Error ? cause.message : String(cause);
  const what = typeof data === 'string' ? `a text frame of ${data.length} characters` : `a binary frame of ${data.byteLength} bytes`;
  return new MessageError({ code: 'DECODE_FAILED', reason: `Could not decode ${what} with the ${codec.name} codec: ${why}`, raw: data, cause });
}

/** Encodes an envelope with `codec` (the codec's own errors, such as a value JSON cannot hold, are thrown). */
export function writeEnvelope(codec: Codec<unknown, unknown>, envelope: Envelope): ReturnType<Codec<unknown, unknown>['encode']> {
  return codec.encode(envelope);
}

/** An `err` envelope for `error` (its `code`, `message` and `data`; HANDLER_FAILED when it has no code). */
export function errEnvelope(id: number | undefined, error: unknown): ErrEnvelope {
  const e = error as { code?: unknown; message?: unknown; data?: unknown } | null;
  const code = e !== null && typeof e === 'object' && typeof e.code === 'string' && e.code !== '' ? e.code : 'HANDLER_FAILED';
  const message = e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(error);
  const data = e !== null && typeof e === 'object' ? e.data : undefined;
  const base = id === undefined ? { k: 'err' as const, code, message } : { k: 'err' as const, id, code, message };
  return data === undefined ? base : { ...base, data };
}

/** A new random session id (docs/protocol.md, Sessions): 22 characters of [A-Za-z0-9_-]. */
export function newSessionId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = new Uint8Array(22);
  globalThis.crypto.getRandomValues(bytes);
  let id = '';
  for (const b of bytes) id += alphabet[b & 63];
  return id;
}
