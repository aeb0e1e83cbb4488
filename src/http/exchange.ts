import { request as httpRequestRaw, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import type { Socket } from 'node:net';
import { eitherFormLookup } from '../observables/transport';
import { ProxyTunnelAgent } from '../proxy/agent';
import { resolveClientTls } from '../tls/resolve';
import { agentFor } from './agent';
import { ACCEPT_ENCODING } from './decoding';
import { HttpError, networkFailure, proxyFailure, type ExchangeStage } from './errors';
import type { HttpEvent, HttpResponseInit } from './events';
import type { HttpRequestOptions } from './options';
import { DEFAULT_MAX_BODY_BYTES, UPLOAD_CHUNK_BYTES } from './options';
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
  /** Redirects allowed in all; one more is a TOO_MANY_REDIRECTS error. */
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
    agent: agentFor(hop.url, options),
    // Node asks with { all: true } and wants a list: a lookup answering one address works too.
    lookup: options.lookup && (eitherFormLookup(options.lookup) as RequestOptions['lookup']),
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
    throw new HttpError({ code: 'INVALID_OPTIONS', url: hop.url.href, cause: err, reason });
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

/** One request on the wire: its timers, its stage (for error codes) and its answer. */
class HopExchange {
  private readonly url: string;
  private readonly req: ClientRequest;
  private stage: ExchangeStage = 'connecting';
  private ended = false;
  private uploadedBytes = 0;
  private stopReading: (() => void) | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private transferTimer: NodeJS.Timeout | undefined;

  constructor(private readonly hop: Hop, private readonly settings: HopSettings, private readonly sink: HopSink) {
    this.url = hop.url.href;
    this.req = open(hop, settings.options);
    this.connectTimer = startDeadline(settings.connectTimeoutMs, () => this.timeout('connecting (connectTimeoutMs)', settings.connectTimeoutMs));
    this.req.on('socket', (socket: Socket) => {
      if (!socket.connecting) return this.connected();
      socket.once(hop.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => this.connected());
    });
    this.req.on('finish', () => {
      if (this.stage === 'sending') this.stage = 'awaitingResponse';
    });
    this.req.on('error', (err: NodeJS.ErrnoException) => {
      // Some servers (IXWebSocket's httpd) send a body after a HEAD reply; like curl, ignore it
      // once the headers are in (Node's parser fails on the stray bytes and drops the socket).
      if (hop.method === 'HEAD' && this.stage === 'readingBody' && String(err.code).startsWith('HPE_')) return;
      // A kept-alive socket the server closed while idle fails before any answer: retryable.
      const stale = this.req.reusedSocket && this.stage !== 'readingBody' && ['ECONNRESET', 'EPIPE'].includes(String(err.code));
      this.fail(networkFailure(err, hop.url, this.stage, 0, settings.options.tls), stale);
    });
    this.req.on('response', (res: IncomingMessage) => this.answered(res));
    sink.event({ type: 'sent', method: hop.method, url: this.url });
    writeBody(this.req, hop.body.bytes, (e) => this.emit(e), (n) => (this.uploadedBytes = n));
  }

  dispose(): void {
    if (this.ended) return;
    this.end();
    this.req.destroy();
  }

  /** The tunnel agent when this request goes through a proxy. */
  private get proxyAgent(): ProxyTunnelAgent | undefined {
    // Node keeps the request's agent as `req.agent` (missing from @types/node).
    const agent = (this.req as ClientRequest & { agent?: unknown }).agent;
    return agent instanceof ProxyTunnelAgent ? agent : undefined;
  }

  private emit(e: HttpEvent): void {
    if (!this.ended) this.sink.event(e);
  }

  private end(): void {
    this.ended = true;
    if (this.stage === 'connecting') this.proxyAgent?.cancel();
    clearTimeout(this.connectTimer);
    clearTimeout(this.transferTimer);
    this.stopReading?.();
  }

  private fail(err: HttpError, retryable = false): void {
    if (this.ended) return;
    this.end();
    this.req.destroy();
    this.sink.fail(err, retryable);
  }

  private timeout(which: string, ms: number): void {
    const { hostname, port, protocol } = this.hop.url;
    const target = `${hostname}:${port || (protocol === 'https:' ? 443 : 80)}`;
    // Still connecting through a proxy: the tunnel is what did not open in time.
    const atProxy = this.stage === 'connecting' ? this.proxyAgent?.timeoutError(target, ms) : undefined;
    if (atProxy) return this.fail(proxyFailure(atProxy, this.url));
    const reason = `${this.hop.method} ${this.url}: ${which} did not complete within ${ms} ms`;
    this.fail(new HttpError({ code: 'TIMEOUT', url: this.url, reason }));
  }

  private connected(): void {
    if (this.ended || this.stage !== 'connecting') return;
    clearTimeout(this.connectTimer);
    this.stage = 'sending';
    const ms = this.settings.transferTimeoutMs;
    this.transferTimer = startDeadline(ms, () => this.timeout('the transfer (transferTimeoutMs)', ms));
  }

  private answered(res: IncomingMessage): void {
    this.stage = 'readingBody';
    const status = res.statusCode ?? 0;
    const { url } = this;
    res.on('error', (err) => this.fail(networkFailure(err, this.hop.url, 'readingBody', status)));
    res.on('close', () => {
      if (!res.complete) this.fail(new HttpError({ code: 'READ_FAILED', url, status, reason: `${url} closed the connection before the response body was complete` }));
    });
    const location = res.headers.location;
    if (this.settings.options.followRedirects !== false && isRedirect(status, location)) return this.redirected(res, status, location);
    const { compress, stream, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = this.settings.options;
    this.stopReading = readBody(res, url, compress !== false, stream === true, maxBodyBytes, {
      event: (e) => this.emit(e),
      fail: (err) => this.fail(err),
      done: (response) => {
        if (this.ended) return;
        this.end();
        // The server answered before taking the whole body: the connection cannot be reused.
        if (!this.req.writableFinished) this.req.destroy();
        this.sink.done({ ...response, uploadedBytes: this.uploadedBytes });
      },
    });
  }

  private redirected(res: IncomingMessage, status: number, location: string): void {
    const { redirects, maxRedirects } = this.settings;
    if (redirects >= maxRedirects) {
      const reason = `Too many redirects: ${this.url} redirected (${status}) once more after ${redirects} were followed (maxRedirects is ${maxRedirects})`;
      return this.fail(new HttpError({ code: 'TOO_MANY_REDIRECTS', url: this.url, status, reason }));
    }
    res.on('end', () => {
      if (this.ended) return;
      this.end();
      // Node frees a keep-alive socket on the tick after 'end': wait for it, so the next
      // request can reuse it.
      setImmediate(() => this.sink.redirect(status, location));
    });
    res.resume(); // the redirect's own body is drained, unread
  }
}

/** Sends one request and reads its answer. Returns its teardown. */
export function sendHop(hop: Hop, settings: HopSettings, sink: HopSink): () => void {
  const exchange = new HopExchange(hop, settings, sink);
  return () => exchange.dispose();
}
