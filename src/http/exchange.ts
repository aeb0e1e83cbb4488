import { request as httpRequestRaw, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import type { Socket } from 'node:net';
import { resolveClientTls } from '../tls/resolve';
import { agentFor } from './agent';
import { ACCEPT_ENCODING } from './decoding';
import { HttpError, networkFailure, type ExchangeStage } from './errors';
import type { HttpEvent, HttpResponseInit } from './events';
import type { HttpRequestOptions } from './options';
import { UPLOAD_CHUNK_BYTES } from './options';
import { isRedirect, type Hop } from './redirects';
import { readBody } from './response-reader';
import { startDeadline } from './timers';

/** How one request ends, told to the exchange that sent it. */
export interface HopSink {
  event(e: HttpEvent): void;
  /** The answer was a redirect to follow; its body has been drained. */
  redirect(status: number, location: string): void;
  done(response: Omit<HttpResponseInit, 'redirects'>): void;
  /** `retryable`: a reused keep-alive socket was found closed before any answer. */
  fail(err: HttpError, retryable: boolean): void;
}

/** The settings of one request that do not change across redirects. */
export interface HopSettings {
  readonly options: HttpRequestOptions;
  readonly connectTimeoutMs: number;
  readonly transferTimeoutMs: number;
  /** Redirects allowed in all; one more is a TooManyRedirects error. */
  readonly maxRedirects: number;
  /** Redirects followed before this request. */
  readonly redirects: number;
}

function headersFor(hop: Hop, options: HttpRequestOptions): Record<string, string> {
  const out: Record<string, string> = { 'user-agent': 'rxws', accept: '*/*' };
  if (options.compress !== false) out['accept-encoding'] = ACCEPT_ENCODING;
  Object.assign(out, hop.body.headers);
  if (hop.body.bytes !== undefined) out['content-length'] = String(hop.body.bytes.length);
  const given = new Set(Object.keys(hop.headers).map((name) => name.toLowerCase()));
  for (const name of Object.keys(out)) if (given.has(name)) delete out[name];
  return { ...out, ...hop.headers };
}

function requestOptions(hop: Hop, options: HttpRequestOptions): RequestOptions {
  const secure = hop.url.protocol === 'https:';
  return {
    method: hop.method,
    headers: headersFor(hop, options),
    agent: agentFor(secure, options),
    lookup: options.lookup as RequestOptions['lookup'],
    ...(secure ? resolveClientTls(options.tls, hop.url.hostname.replace(/^\[|\]$/g, '')) : {}),
  };
}

function open(hop: Hop, options: HttpRequestOptions): ClientRequest {
  const send = hop.url.protocol === 'https:' ? httpsRequestRaw : httpRequestRaw;
  try {
    return send(hop.url, requestOptions(hop, options));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const reason = `Cannot send ${hop.method} ${hop.url.href}: ${(err as Error).message}; check the method, headers and tls options`;
    throw new HttpError({ code: 'Invalid', url: hop.url.href, cause: err, reason });
  }
}

/** Writes `bytes` in chunks, respecting backpressure; `uploadProgress` after each chunk is flushed. */
function writeBody(req: ClientRequest, bytes: Uint8Array | undefined, event: (e: HttpEvent) => void, written: (n: number) => void): void {
  if (bytes === undefined || bytes.length === 0) return void req.end();
  const total = bytes.length;
  let offset = 0;
  let loaded = 0;
  const pump = (): void => {
    while (offset < total) {
      const chunk = bytes.subarray(offset, offset + UPLOAD_CHUNK_BYTES);
      offset += chunk.length;
      const flushed = (err?: Error | null): void => {
        if (err) return;
        loaded += chunk.length;
        written(loaded);
        event({ type: 'uploadProgress', loaded, total });
      };
      if (!req.write(chunk, flushed)) return void req.once('drain', pump);
    }
    req.end();
  };
  pump();
}

/** Sends one request and reads its answer. Returns its teardown. */
export function sendHop(hop: Hop, settings: HopSettings, sink: HopSink): () => void {
  const { options } = settings;
  const url = hop.url.href;
  let stage: ExchangeStage = 'connecting';
  let ended = false;
  let uploadedBytes = 0;
  let stopReading: (() => void) | undefined;
  let transferTimer: NodeJS.Timeout | undefined;
  const req = open(hop, options);

  const end = (): void => {
    ended = true;
    clearTimeout(connectTimer);
    clearTimeout(transferTimer);
    stopReading?.();
  };
  const fail = (err: HttpError, retryable = false): void => {
    if (ended) return;
    end();
    req.destroy();
    sink.fail(err, retryable);
  };
  const timeout = (which: string, ms: number): void => {
    fail(new HttpError({ code: 'Timeout', url, reason: `${hop.method} ${url}: ${which} did not complete within ${ms} ms` }));
  };
  const connectTimer = startDeadline(settings.connectTimeoutMs, () => timeout('connecting (connectTimeoutMs)', settings.connectTimeoutMs));
  const connected = (): void => {
    if (ended || stage !== 'connecting') return;
    clearTimeout(connectTimer);
    stage = 'sending';
    transferTimer = startDeadline(settings.transferTimeoutMs, () => timeout('the transfer (transferTimeoutMs)', settings.transferTimeoutMs));
  };

  req.on('socket', (socket: Socket) => {
    if (!socket.connecting) return connected();
    socket.once(hop.url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
  });
  req.on('finish', () => {
    if (stage === 'sending') stage = 'awaitingResponse';
  });
  req.on('error', (err) => {
    const stale = req.reusedSocket && stage !== 'readingBody' && ['ECONNRESET', 'EPIPE'].includes(String((err as NodeJS.ErrnoException).code));
    fail(networkFailure(err, hop.url, stage), stale);
  });
  req.on('response', (res: IncomingMessage) => onResponse(res));

  const onResponse = (res: IncomingMessage): void => {
    stage = 'readingBody';
    const status = res.statusCode ?? 0;
    res.on('error', (err) => fail(networkFailure(err, hop.url, 'readingBody', status)));
    res.on('close', () => {
      if (!res.complete) fail(new HttpError({ code: 'ReadError', url, status, reason: `${url} closed the connection before the response body was complete` }));
    });
    const location = res.headers.location;
    if (options.followRedirects !== false && isRedirect(status, location)) {
      if (settings.redirects >= settings.maxRedirects) {
        const reason = `Too many redirects: ${url} redirected (${status}) once more after ${settings.redirects} were followed (maxRedirects is ${settings.maxRedirects})`;
        return fail(new HttpError({ code: 'TooManyRedirects', url, status, reason }));
      }
      res.on('end', () => {
        if (ended) return;
        end();
        // Node frees a keep-alive socket on the tick after 'end': wait for it, so the next
        // request can reuse it.
        setImmediate(() => sink.redirect(status, location));
      });
      return void res.resume();
    }
    stopReading = readBody(res, url, options.compress !== false, options.stream === true, {
      event: (e) => !ended && sink.event(e),
      fail: (err) => fail(err),
      done: (response) => {
        if (ended) return;
        end();
        // The server answered before taking the whole body: the connection cannot be reused.
        if (!req.writableFinished) req.destroy();
        sink.done({ ...response, uploadedBytes });
      },
    });
  };

  sink.event({ type: 'sent', method: hop.method, url });
  writeBody(req, hop.body.bytes, (e) => !ended && sink.event(e), (n) => (uploadedBytes = n));
  return () => {
    if (ended) return;
    end();
    req.destroy();
  };
}
