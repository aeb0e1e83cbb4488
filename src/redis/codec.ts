// The envelope of a broadcast on the Redis channel: a small binary header, then the payload as is,
// so text and binary messages both travel without any re-encoding (no base64, no JSON).
//
//   byte 0       format version (1)
//   byte 1       flags: bit 0 binary payload, bit 1 topics follow
//   bytes 2–17   the publishing instance's id (16 random bytes)
//   [u16 count, then per topic: u16 byte length + UTF-8 name]   when bit 1 is set
//   the rest     the payload (UTF-8 text, or the bytes)
import type { AdapterMessage } from '../server/adapter';

/** The envelope format written by this version. */
export const ENVELOPE_VERSION = 1;
/** Length of an instance id in bytes. */
export const INSTANCE_ID_BYTES = 16;

const FLAG_BINARY = 1;
const FLAG_TOPICS = 2;
const ORIGIN_AT = 2;
const HEADER_BYTES = ORIGIN_AT + INSTANCE_ID_BYTES;

/** A decoded envelope. */
export interface Envelope extends AdapterMessage {
  /** The id of the instance that published it. */
  readonly origin: Buffer;
}

/**
 * Encodes `message`, published by the instance `origin` (16 bytes), as one Buffer: what the
 * Redis adapter publishes. Another program can use it to reach the clients of every instance.
 *
 * @example
 * import { randomBytes } from 'node:crypto';
 * const envelope = encodeEnvelope(randomBytes(16), { data: 'maintenance at 18:00', topics: ['ops'] });
 * await redisClient.publish('rxws:broadcast', envelope);
 */
export function encodeEnvelope(origin: Buffer, message: AdapterMessage): Buffer {
  const { data, topics } = message;
  const binary = typeof data !== 'string';
  const payloadBytes = binary ? data.byteLength : Buffer.byteLength(data);
  let topicBytes = 0;
  if (topics !== undefined) {
    if (topics.length > 0xffff) throw new RangeError(`A broadcast can name at most 65535 topics, got ${topics.length}`);
    topicBytes = 2;
    for (const t of topics) topicBytes += 2 + Buffer.byteLength(t);
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + topicBytes + payloadBytes);
  out[0] = ENVELOPE_VERSION;
  out[1] = (binary ? FLAG_BINARY : 0) | (topics !== undefined ? FLAG_TOPICS : 0);
  origin.copy(out, ORIGIN_AT);
  let at = HEADER_BYTES;
  if (topics !== undefined) {
    at = out.writeUInt16BE(topics.length, at);
    for (const t of topics) {
      const n = out.write(t, at + 2);
      out.writeUInt16BE(n, at);
      at += 2 + n;
    }
  }
  if (binary) out.set(data, at);
  else out.write(data, at);
  return out;
}

/** True when `envelope` was published by `origin` (checked before decoding the rest). */
export function isFrom(envelope: Buffer, origin: Buffer): boolean {
  return envelope.length >= HEADER_BYTES && envelope.compare(origin, 0, INSTANCE_ID_BYTES, ORIGIN_AT, HEADER_BYTES) === 0;
}

/**
 * Decodes an envelope; throws a TypeError saying what is wrong with a malformed one.
 *
 * @example
 * await subscriber.subscribe('rxws:broadcast', (buffer) => {
 *   const { data, topics } = decodeEnvelope(buffer);
 *   console.log(topics ?? 'everyone', typeof data === 'string' ? data : `${data.length} bytes`);
 * }, true);
 */
export function decodeEnvelope(envelope: Buffer): Envelope {
  if (envelope.length < HEADER_BYTES) throw new TypeError(`Not an rxws broadcast: ${envelope.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (envelope[0] !== ENVELOPE_VERSION) throw new TypeError(`Not an rxws broadcast of format ${ENVELOPE_VERSION}: version byte is ${envelope[0]}`);
  const flags = envelope[1];
  const origin = envelope.subarray(ORIGIN_AT, HEADER_BYTES);
  let at = HEADER_BYTES;
  let topics: string[] | undefined;
  if ((flags & FLAG_TOPICS) !== 0) {
    const count = readLength(envelope, at);
    at += 2;
    topics = [];
    for (let i = 0; i < count; i++) {
      const n = readLength(envelope, at);
      if (at + 2 + n > envelope.length) throw new TypeError('Malformed rxws broadcast: a topic runs past the end');
      topics.push(envelope.toString('utf8', at + 2, at + 2 + n));
      at += 2 + n;
    }
  }
  const payload = envelope.subarray(at);
  const data = (flags & FLAG_BINARY) !== 0 ? new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength) : payload.toString('utf8');
  return { origin, data, topics };
}

function readLength(envelope: Buffer, at: number): number {
  if (at + 2 > envelope.length) throw new TypeError('Malformed rxws broadcast: the topic list runs past the end');
  return envelope.readUInt16BE(at);
}
