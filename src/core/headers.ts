/** Headers as Node gives them: lower-case names, repeated ones as arrays. */
export type RawHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A plain record of `headers` with lower-case names, repeated headers joined with `, ` (as
 * Fetch's `Headers.get` does). Used for handshake responses, server requests and HTTP responses.
 */
export function headerRecord(headers: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in headers) {
    const value = headers[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
