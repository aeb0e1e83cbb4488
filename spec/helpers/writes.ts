// Counts a stream's writes to the kernel, to show that writes are corked per turn.

/** Counts the writes the stream hands to the kernel (`_write` for one chunk, `_writev` for several). */
export function countWrites(stream: object): { readonly writes: number } {
  const counter = { writes: 0 };
  const s = stream as { _write: (...a: unknown[]) => unknown; _writev?: (...a: unknown[]) => unknown };
  const write = s._write;
  const writev = s._writev;
  s._write = function (this: unknown, ...a: unknown[]) {
    counter.writes++;
    return write.apply(this, a);
  };
  if (writev !== undefined) {
    s._writev = function (this: unknown, ...a: unknown[]) {
      counter.writes++;
      return writev.apply(this, a);
    };
  }
  return counter;
}
