// Payloads shared by the workloads: built once, sent as is by both variants.

/** A text payload of `size` ASCII bytes, or a binary one of `size` bytes. */
export function makePayload(size: number, binary: boolean): string | Buffer {
  if (!binary) return 'x'.repeat(size);
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = i & 0xff;
  return buf;
}
