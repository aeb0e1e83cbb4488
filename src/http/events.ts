/**
 * One request was written: the first one, and each one a redirect leads to.
 * Angular's `HttpEventType.Sent`.
 */
export interface HttpSentEvent {
  readonly type: 'sent';
  readonly method: string;
  readonly url: string;
}

/** Part of the request body was written to the socket. `loaded` ends equal to `total`. */
export interface HttpUploadProgressEvent {
  readonly type: 'uploadProgress';
  /** Body bytes written so far (after `gzipBody`, if set). */
  readonly loaded: number;
  /** Body bytes to write. */
  readonly total: number;
}

/** The final response's status line and headers, before its body. */
export interface HttpResponseHeaderEvent {
  readonly type: 'responseHeader';
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Record<string, string>;
  /** The URL that answered, after redirects. */
  readonly url: string;
}

/** Part of the response body arrived. */
export interface HttpDownloadProgressEvent {
  readonly type: 'downloadProgress';
  /** Body bytes received so far, as sent on the wire (before decoding gzip, deflate or br). */
  readonly loaded: number;
  /** The Content-Length (wire bytes); `undefined` when the server did not say (chunked, close-delimited). */
  readonly total: number | undefined;
}

/** A piece of the decoded response body (only with `stream: true`). */
export interface HttpChunkEvent {
  readonly type: 'chunk';
  readonly data: Uint8Array;
}

/**
 * The complete response. The last event; the Observable completes after it.
 *
 * @example
 * const isResponse = (e: HttpEvent): e is HttpResponseEvent => e.type === 'response';
 * const res = await firstValueFrom(httpRequest(url).pipe(filter(isResponse)));
 * if (res.status === 200) console.log(res.json<{ items: string[] }>().items);
 */
export interface HttpResponseEvent {
  readonly type: 'response';
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Record<string, string>;
  /** The decoded body; empty with `stream: true` (the `chunk` events carried it). */
  readonly body: Uint8Array;
  /** The URL that answered, after redirects. */
  readonly url: string;
  /** How many redirects were followed to get here. */
  readonly redirects: number;
  /** Request body bytes written for the final request (after `gzipBody`). */
  readonly uploadedBytes: number;
  /** Response body bytes received on the wire (before decoding). */
  readonly downloadedBytes: number;
  /** The body as text, in the Content-Type's charset (UTF-8 when none or unknown). */
  text(): string;
  /** The body parsed as JSON; throws a SyntaxError when it is not JSON. */
  json<T = unknown>(): T;
}

/**
 * What `httpRequest` emits, discriminated by `type`, in this order: `sent`,
 * `uploadProgress`*, (`sent`, `uploadProgress`* per redirect), `responseHeader`,
 * `downloadProgress`* interleaved with `chunk`* (stream mode), `response`.
 *
 * @example
 * httpRequest(url, { stream: true }).subscribe((e: HttpEvent) => {
 *   if (e.type === 'chunk') file.write(e.data);
 *   else if (e.type === 'downloadProgress') bar.update(e.loaded, { total: e.total ?? 0 });
 *   else if (e.type === 'response') file.end();
 * });
 */
export type HttpEvent =
  | HttpSentEvent
  | HttpUploadProgressEvent
  | HttpResponseHeaderEvent
  | HttpDownloadProgressEvent
  | HttpChunkEvent
  | HttpResponseEvent;

/** The `type` of an HttpEvent. */
export type HttpEventType = HttpEvent['type'];

/** Everything a response event holds except its methods. */
export type HttpResponseInit = Omit<HttpResponseEvent, 'type' | 'text' | 'json'>;

function charsetOf(contentType: string | undefined): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  return match ? match[1] : 'utf-8';
}

function decodeText(body: Uint8Array, contentType: string | undefined): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charsetOf(contentType));
  } catch {
    decoder = new TextDecoder('utf-8'); // an unknown charset label: UTF-8 is the web's default
  }
  return decoder.decode(body);
}

/** Builds the `response` event, with `text()` and `json()` decoding its body on demand. */
export function responseEvent(init: HttpResponseInit): HttpResponseEvent {
  return {
    type: 'response',
    ...init,
    text: () => decodeText(init.body, init.headers['content-type']),
    json: <T>() => JSON.parse(decodeText(init.body, init.headers['content-type'])) as T,
  };
}
