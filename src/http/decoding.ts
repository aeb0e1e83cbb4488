import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

/** What `compress: true` asks for. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

/** The Content-Encoding token, lower-case and trimmed; '' for none. */
export function encodingOf(header: string | undefined): string {
  return (header ?? '').trim().toLowerCase();
}

/** True when rxws can decode this Content-Encoding. */
export function isDecodable(encoding: string): boolean {
  return ['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding);
}

/**
 * `deflate` is the zlib format (RFC 1950) but some servers send raw deflate (RFC 1951);
 * browsers accept both, so the first bytes decide: a zlib header has method 8 and a
 * header checksum divisible by 31 (RFC 1950 §2.2).
 */
function isZlibHeader(first: Uint8Array): boolean {
  if (first.length < 2) return (first[0] & 0x0f) === 8;
  return (first[0] & 0x0f) === 8 && ((first[0] << 8) | first[1]) % 31 === 0;
}

/** A decompressor for a decodable `encoding`, chosen once the first body bytes are known. */
export function createDecoder(encoding: string, firstChunk: Uint8Array): Transform {
  switch (encoding) {
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      return isZlibHeader(firstChunk) ? createInflate() : createInflateRaw();
    default:
      return createGunzip();
  }
}
