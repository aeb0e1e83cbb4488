// Counts a stream's writes to the kernel, to show that writes are corked per turn.

/** Bytes in the chunks of one `_write` or `_writev` call. */
const bytesOf = (chunks: readonly unknown[]): number =>
  chunks.reduce<number>((sum, c) => sum + (typeof c === 'string' ? Buffer.byteLength(c) : (c as Uint8Array).byteLength), 0);

/**
 * Counts the writes the stream hands to the kernel (`_write` for one chunk, `_writev` for
 * several), and the bytes of each in `sizes`.
 */
export function countWrites(stream: object): { readonly writes: number; readonly sizes: readonly number[] } {
  const sizes: number[] = [];
  const counter = {
    get writes() {
      return sizes.length;
    },
    sizes,
  };
  const s = stream as { _write: (...a: unknown[]) => unknown; _writev?: (...a: unknown[]) => unknown };
  const write = s._write;
  const writev = s._writev;
  s._write = function (this: unknown, ...a: unknown[]) {
    sizes.push(bytesOf([a[0]]));
    return write.apply(this, a);
  };
  if (writev !== undefined) {
    s._writev = function (this: unknown, ...a: unknown[]) {
      sizes.push(bytesOf((a[0] as { chunk: unknown }[]).map((c) => c.chunk)));
      return writev.apply(this, a);
    };
  }
  return counter;
}
