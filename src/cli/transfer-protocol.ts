/**
 * The file transfer protocol of `rxws send` / `rxws receive`, relayed by `rxws transfer`
 * (documented in docs/cli.md). Text messages are JSON control messages; binary messages are
 * chunks: 16 bytes of transfer id, a 4-byte big-endian chunk index, then the data.
 */

/** Bytes of file data per binary message. */
export const CHUNK_BYTES = 64 * 1024;
const ID_BYTES = 16;
const HEADER_BYTES = ID_BYTES + 4;

/** Announces a file; chunks follow, then `file-end`. */
export interface FileHeader {
  kind: 'file';
  id: string;
  name: string;
  size: number;
  /** Lower-case hex SHA-256 of the whole file. */
  sha256: string;
  chunkSize: number;
}

/** No more chunks for this file. */
export interface FileEnd {
  kind: 'file-end';
  id: string;
  chunks: number;
}

/** A receiver's verdict: `ok` after the file was verified and renamed into place. */
export interface FileAck {
  kind: 'file-ack';
  id: string;
  name: string;
  ok: boolean;
  reason?: string;
}

export type TransferMessage = FileHeader | FileEnd | FileAck;

export interface FileChunk {
  id: string;
  index: number;
  data: Uint8Array;
}

const HEX_ID = /^[0-9a-f]{32}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** A new transfer id: 32 hex digits (16 bytes on the wire). */
export function newTransferId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

/** Parses a text message; undefined when it is not a valid transfer message (other chatter is ignored). */
export function parseTransferMessage(text: string): TransferMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.id !== 'string' || !HEX_ID.test(m.id)) return undefined;
  const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  switch (m.kind) {
    case 'file':
      return typeof m.name === 'string' && count(m.size) && typeof m.sha256 === 'string' && SHA256.test(m.sha256) && count(m.chunkSize)
        ? (m as unknown as FileHeader)
        : undefined;
    case 'file-end':
      return count(m.chunks) ? (m as unknown as FileEnd) : undefined;
    case 'file-ack':
      return typeof m.ok === 'boolean' && typeof m.name === 'string' ? (m as unknown as FileAck) : undefined;
    default:
      return undefined;
  }
}

/** Frames one chunk of file data. */
export function encodeChunk(id: string, index: number, data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(HEADER_BYTES + data.byteLength);
  frame.set(Buffer.from(id, 'hex'), 0);
  new DataView(frame.buffer).setUint32(ID_BYTES, index);
  frame.set(data, HEADER_BYTES);
  return frame;
}

/** Reads a chunk frame; undefined when too short to be one. */
export function decodeChunk(frame: Uint8Array): FileChunk | undefined {
  if (frame.byteLength < HEADER_BYTES) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    id: Buffer.from(frame.subarray(0, ID_BYTES)).toString('hex'),
    index: view.getUint32(ID_BYTES),
    data: frame.subarray(HEADER_BYTES),
  };
}

/** A file name that stays inside the target folder: a plain last path segment (its length is checked where it is written). */
export function safeFileName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop() ?? '';
  if (base === '' || base === '.' || base === '..' || base.includes('\0')) return undefined;
  return base;
}
