// The byte pattern and FNV-1a hash the browser fixtures use, computed the same way in Node.

/** `length` bytes with byte i = (i * 7 + 3) mod 256, as the page's sendPattern makes them. */
export function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + 3) & 255;
  return bytes;
}

/** 32-bit FNV-1a, as the fixtures compute it for received binary messages. */
export function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
