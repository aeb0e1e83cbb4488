import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction, ProxySetting, TlsOptions } from '../core/options';

/** Connect deadline per request (DNS + TCP + TLS), as in IXWebSocket. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
/** Transfer deadline per request (from connected to the last body byte), as in IXWebSocket. */
export const DEFAULT_TRANSFER_TIMEOUT_MS = 1_800_000;
/** Redirects followed before a `TOO_MANY_REDIRECTS` error, as in IXWebSocket. */
export const DEFAULT_MAX_REDIRECTS = 5;
/**
 * Largest response body buffered (bytes, after gzip/deflate/br decoding), so a decompression
 * bomb cannot take the process's memory; `stream: true` reads bodies of any size.
 */
export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;
/** Size of the pieces a request body is written in; one `uploadProgress` event each. */
export const UPLOAD_CHUNK_BYTES = 64 * 1024;

/** A file (or any named part) of a multipart body. */
export interface MultipartFile {
  /** The content: text, bytes, or a Blob (e.g. `await fs.openAsBlob(path)`). */
  data: string | Uint8Array | Blob;
  /** File name sent in Content-Disposition. Default `'blob'`. */
  filename?: string;
  /** Content-Type of the part. Default: the Blob's type, else `application/octet-stream`. */
  contentType?: string;
}

/** One field of a multipart body: a plain text field, or a file. */
export type MultipartValue = string | MultipartFile;

/**
 * Options of `httpRequest`. All optional. At most one of `body`, `form`, `multipart`, `json`.
 *
 * @example
 * httpRequest('https://api.example.com/v1/items', {
 *   method: 'POST',
 *   json: { name: 'pen' },
 *   headers: { Authorization: `Bearer ${token}` },
 *   tls: { caFile: './ca.pem' },
 *   timeoutMs: 10_000,
 * });
 */
export interface HttpRequestOptions {
  /**
   * Any HTTP method (`GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE`, `OPTIONS`, or a custom
   * token such as `PROPFIND`). Default `'GET'`, or `'POST'` when a body option is given.
   */
  method?: string;
  /** Request headers. Names are case-insensitive; yours win over the ones rxws adds. */
  headers?: Record<string, string>;
  /** Raw body: text (sent as UTF-8) or bytes. Content-Type is yours to set. */
  body?: string | Uint8Array | ArrayBuffer;
  /** Fields sent `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Fields and files sent `multipart/form-data` (a boundary is chosen for you). */
  multipart?: Record<string, MultipartValue | readonly MultipartValue[]> | FormData;
  /** A value sent as `application/json`. */
  json?: unknown;
  /** Gzip the request body and send `Content-Encoding: gzip`. Default false. */
  gzipBody?: boolean;
  /**
   * Send `Accept-Encoding: gzip, deflate, br` and decode the response body transparently.
   * Default true. With false the body is returned as received.
   */
  compress?: boolean;
  /** Follow 301, 302, 303, 307 and 308 redirects. Default true. */
  followRedirects?: boolean;
  /** Most redirects followed; one more is a `TOO_MANY_REDIRECTS` error. Default 5. */
  maxRedirects?: number;
  /** Deadline for DNS + TCP + TLS of each request; 0 for none. Default 60000. */
  connectTimeoutMs?: number;
  /** Deadline from connected to the last response byte, for each request; 0 for none. Default 1800000. */
  transferTimeoutMs?: number;
  /**
   * One deadline for the whole exchange, from subscription to the `response` event: every
   * redirect, upload and download. Default 0: none (only the two timers above apply).
   */
  timeoutMs?: number;
  /**
   * Emit the body as `chunk` events (decoded) as it arrives instead of buffering it; the final
   * `response` then has an empty `body`. Default false. The way to read bodies over `maxBodyBytes`.
   */
  stream?: boolean;
  /**
   * Largest response body buffered, in bytes, counted after decoding: a bigger one fails the
   * request with a `BODY_TOO_LARGE` HttpError. Not applied with `stream: true`. Default 100 MiB.
   */
  maxBodyBytes?: number;
  /** Reuse connections through rxws's shared keep-alive agents. Default true. */
  keepAlive?: boolean;
  /**
   * The proxy to send the request through (an HTTP CONNECT tunnel or SOCKS), or `false` for
   * none. Default: `HTTPS_PROXY` for `https:`, `HTTP_PROXY` for `http:`, else `ALL_PROXY`,
   * unless `NO_PROXY` matches; loopback hosts only when set here. See docs/proxy.md.
   */
  proxy?: ProxySetting;
  /** Your own Node agents (per scheme); they win over `keepAlive` and `proxy`. */
  agent?: { http?: HttpAgent; https?: HttpsAgent };
  /** TLS settings for `https:`. */
  tls?: TlsOptions;
  /** Resolves host names instead of `dns.lookup` (same signature). */
  lookup?: LookupFunction;
  /** Aborting it fails the request with a `Cancelled` HttpError. */
  signal?: AbortSignal;
}
