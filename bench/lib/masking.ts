// Which masking `ws` uses in this process: bufferutil's native mask/unmask (for 48 bytes and up)
// when it is installed and WS_NO_BUFFER_UTIL is not set, else its JavaScript loop.

export function wsUsesBufferutil(): boolean {
  if (process.env.WS_NO_BUFFER_UTIL) return false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('bufferutil');
    return true;
  } catch {
    return false;
  }
}
