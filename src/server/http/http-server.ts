// Plain HTTP on the WebSocket port: turns Node's request into an IncomingHttpRequest, runs the
// handler (value, Promise or Observable) and writes its HttpResponse.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { firstValueFrom, isObservable, type Observable } from 'rxjs';
import type { UpgradeRefusal } from '../requests';
import type { ServerErrorEvent } from '../websocket-server';

/**
 * A plain HTTP request received by the server, as `onRequest` gets it (not to be confused with
 * `httpRequest` of `rxws/http`, the client).
 *
 * @example
 * serve({ onRequest: (request: IncomingHttpRequest) => ({ status: 200, body: request.url }) });
 */
export interface IncomingHttpRequest {
  readonly method: string;
  /** The request target: path and query, as sent. */
  readonly url: string;
  /** Request headers with lower-case keys. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request body (empty for GET). */
  readonly body: Uint8Array;
  readonly remoteAddress: string;
}

/** @deprecated The old name of {@link IncomingHttpRequest}; it reads like the client's `httpRequest`. */
export type HttpRequest = IncomingHttpRequest;

/** The answer to a plain HTTP request. */
export interface HttpResponse {
  /** HTTP status, 100–599. */
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | number | readonly string[]>>;
  /**
   * A string is sent as UTF-8 (with `text/plain; charset=utf-8` unless a Content-Type is given).
   * A stream (any async iterable of bytes, e.g. `fs.createReadStream(file)`) is written as it
   * comes, at the pace the client reads; give its Content-Length if you know it, else it is sent
   * chunked. A stream that fails midway ends the response early.
   */
  readonly body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/** Answers plain HTTP requests: with a response, a Promise of one, or an Observable whose first value is used. */
export type HttpHandler = (request: IncomingHttpRequest) => HttpResponse | Promise<HttpResponse> | Observable<HttpResponse>;

const UPGRADE_REQUIRED =
  'Upgrade Required: this is a WebSocket server. Connect with a WebSocket client (ws:// or wss://).';

type Streamed = AsyncIterable<Uint8Array>;

const isStreamed = (body: HttpResponse['body']): body is Streamed =>
  body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);

/** Stops a stream nobody will read (its file descriptor closes with it). */
function discard(body: HttpResponse['body']): void {
  if (isStreamed(body)) (body as Partial<Readable>).destroy?.();
}

function send(res: ServerResponse, response: HttpResponse, isHead = false): void {
  if (res.headersSent || res.destroyed) {
    discard(response.body);
    return;
  }
  const streamed = isStreamed(response.body) ? response.body : undefined;
  const fixed = streamed === undefined ? response.body : undefined;
  const body = typeof fixed === 'string' ? Buffer.from(fixed) : (fixed as Uint8Array | undefined);
  const headers: Record<string, string | number | readonly string[]> = { ...response.headers };
  const has = (name: string): boolean => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (typeof response.body === 'string' && !has('content-type')) headers['Content-Type'] = 'text/plain; charset=utf-8';
  // A HEAD answer without a body may carry the length GET would have; a stream is chunked unless told.
  if (!has('content-length') && !has('transfer-encoding') && streamed === undefined && !(isHead && body === undefined)) {
    headers['Content-Length'] = body?.byteLength ?? 0;
  }
  res.writeHead(response.status, headers as Record<string, string | number | string[]>);
  if (streamed === undefined) {
    res.end(body);
    return;
  }
  if (isHead) {
    discard(streamed);
    res.end();
    return;
  }
  // A client that leaves mid-body, or a source that fails, ends the response: nothing to report.
  pipeline(streamed, res, () => undefined);
}

function checkResponse(value: unknown): HttpResponse {
  const r = value as HttpResponse | undefined;
  if (r === null || typeof r !== 'object' || !Number.isInteger(r.status) || r.status < 100 || r.status > 599) {
    throw new Error(`onRequest returned ${JSON.stringify(value)}: expected { status: 100..599, headers?, body? }`);
  }
  const body: unknown = r.body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array) && typeof (body as Partial<Streamed>)[Symbol.asyncIterator] !== 'function') {
    throw new Error('onRequest returned a body that is neither a string, a Uint8Array nor a stream (an async iterable of bytes)');
  }
  return r;
}

async function runHandler(handler: HttpHandler, request: IncomingHttpRequest): Promise<HttpResponse> {
  const result = handler(request);
  const value = isObservable(result) ? await firstValueFrom(result) : await result;
  return checkResponse(value);
}

/** A request body that did not arrive: the client went away (or missed its deadline) mid-body. */
class BodyAborted extends Error {}

/** The body, undefined when it is over `limit` (the rest is discarded); rejects with BodyAborted. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // 'aborted' / ECONNRESET: nobody is left to answer, and nothing failed on this side.
    req.on('error', () => reject(new BodyAborted()));
  });
}

/** Refuses a plain HTTP request before any handler sees it (an unverified client certificate) and ends the connection. */
export function refuseHttpRequest(req: IncomingMessage, res: ServerResponse, refusal: UpgradeRefusal): void {
  res.on('error', () => undefined);
  req.resume();
  send(res, { status: refusal.status, headers: { ...refusal.headers, Connection: 'close' }, body: refusal.reason ?? '' });
}

/**
 * Answers one plain HTTP request: 426 without a handler, 413 over the body limit, 500 when the
 * handler fails (reported). A client that leaves mid-body is not reported: it is not a failure.
 */
export async function answerHttpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  handler: HttpHandler | undefined,
  maxBodyBytes: number,
  report: (event: ServerErrorEvent) => void,
  /** Told when reading the body starts (with the answer to a late body) and is over (undefined). */
  readingBody: (onDeadline: (() => void) | undefined) => void,
): Promise<void> {
  res.on('error', () => undefined);
  if (handler === undefined) {
    req.resume();
    send(res, { status: 426, headers: { Upgrade: 'websocket', Connection: 'Upgrade' }, body: UPGRADE_REQUIRED });
    return;
  }
  let body: Uint8Array | undefined;
  readingBody(() => {
    // The rest of the body is not waited for: the socket goes once the answer is out.
    res.once('finish', () => req.socket.destroy());
    send(res, { status: 408, headers: { Connection: 'close' }, body: 'Request Timeout: the body did not arrive in time' });
  });
  try {
    body = await readBody(req, maxBodyBytes);
  } catch {
    return;
  } finally {
    readingBody(undefined);
  }
  try {
    if (body === undefined) {
      send(res, { status: 413, headers: { Connection: 'close' }, body: `Request body over ${maxBodyBytes} bytes` });
      return;
    }
    const request: IncomingHttpRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body,
      remoteAddress: req.socket.remoteAddress ?? '',
    };
    send(res, await runHandler(handler, request), req.method === 'HEAD');
  } catch (error) {
    report({ source: 'onRequest', error });
    send(res, { status: 500, body: 'Internal Server Error: the request handler failed' });
  }
}
