import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import type { SendData } from '../core/events';

/** What a message arrives as before decoding: a string for a text frame, bytes for a binary one. */
export type RawData = string | Uint8Array;

/**
 * Turns application values into frames and frames into values. `In` is what `decode` gives
 * (received), `Out` what `encode` takes (sent). `decode` throws when a frame is not one of its
 * values; rxws reports that as `DECODE_FAILED` (it never crashes the stream).
 *
 * @example
 * const upper: Codec<string, string> = {
 *   name: 'upper',
 *   encode: (s) => s.toUpperCase(),
 *   decode: (data) => (typeof data === 'string' ? data : new TextDecoder().decode(data)),
 * };
 */
export interface Codec<In, Out = In> {
  /** For error messages ('json', 'msgpack', …). */
  readonly name: string;
  /** The frame for `value`: a string is sent as a text frame, bytes as a binary frame. */
  encode(value: Out): SendData;
  /** The value of a received frame; throws when the frame is not one. */
  decode(data: RawData, binary: boolean): In;
}

/** The `In` of a codec. */
export type CodecIn<C> = C extends Codec<infer In, unknown> ? In : never;
/** The `Out` of a codec. */
export type CodecOut<C> = C extends Codec<unknown, infer Out> ? Out : never;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON in text frames. `In` and `Out` only type the values: nothing checks that a received
 * value has the shape `In` says (validate it yourself where it matters). A binary frame is
 * decoded as UTF-8 JSON.
 *
 * @example
 * import { connect, json } from 'rxws';
 * type Chat = { from: string; text: string };
 * connect<Chat, Chat>('ws://127.0.0.1:8008', { codec: json<Chat, Chat>() }).subscribe((e) => {
 *   if (e.type === 'open') e.socket.send({ from: 'me', text: 'hi' });
 *   if (e.type === 'message') console.log(e.data.from, e.data.text);
 * });
 */
export function json<In = unknown, Out = In>(): Codec<In, Out> {
  return {
    name: 'json',
    encode: (value) => {
      const text = JSON.stringify(value);
      // JSON.stringify(undefined) is undefined: there is no frame for it.
      if (text === undefined) throw new TypeError(`json codec: ${typeof value} cannot be sent as JSON`);
      return text;
    },
    decode: (data) => JSON.parse(typeof data === 'string' ? data : utf8.decode(data)) as In,
  };
}

/**
 * MessagePack in binary frames (`@msgpack/msgpack`: no native code, runs in browsers).
 * A text frame is refused (`DECODE_FAILED`): MessagePack is bytes.
 *
 * @example
 * import { WebSocketClient, msgpack } from 'rxws';
 * const client = new WebSocketClient({ url: 'ws://127.0.0.1:8008', codec: msgpack<{ t: number }>() });
 * client.messages$.subscribe((m) => console.log(m.data.t));
 */
export function msgpack<In = unknown, Out = In>(): Codec<In, Out> {
  return {
    name: 'msgpack',
    encode: (value) => msgpackEncode(value),
    decode: (data, binary) => {
      if (!binary || typeof data === 'string') throw new TypeError('msgpack codec: got a text frame, MessagePack comes in binary frames');
      return msgpackDecode(data) as In;
    },
  };
}

/**
 * Text frames as strings. A binary frame is decoded as UTF-8 (invalid UTF-8 is `DECODE_FAILED`).
 *
 * @example
 * import { connect, text } from 'rxws';
 * connect('ws://127.0.0.1:8008', { codec: text() }).subscribe((e) => e.type === 'message' && console.log(e.data.trim()));
 */
export function text(): Codec<string, string> {
  return {
    name: 'text',
    encode: (value) => value,
    decode: (data) => (typeof data === 'string' ? data : utf8.decode(data)),
  };
}

const encoder = new TextEncoder();

/**
 * Binary frames as `Uint8Array`. A text frame is given as its UTF-8 bytes.
 *
 * @example
 * import { connect, binary } from 'rxws';
 * connect('ws://127.0.0.1:8008', { codec: binary() }).subscribe((e) => e.type === 'message' && console.log(e.data.byteLength));
 */
export function binary(): Codec<Uint8Array, Uint8Array | ArrayBuffer> {
  return {
    name: 'binary',
    encode: (value) => value,
    decode: (data) => (typeof data === 'string' ? encoder.encode(data) : data),
  };
}

/** Throws a TypeError naming what is missing when `codec` is not a Codec. */
export function assertCodec(codec: unknown, where: string): asserts codec is Codec<unknown, unknown> {
  const c = codec as Partial<Codec<unknown, unknown>> | null;
  if (c === null || typeof c !== 'object' || typeof c.encode !== 'function' || typeof c.decode !== 'function') {
    throw new TypeError(`${where}: codec must be an object with encode(value) and decode(data, binary) functions, e.g. json() or msgpack()`);
  }
}
