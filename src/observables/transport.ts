// The Node transport of `connect`, on `ws`. The browser build swaps this module for
// `transport.browser.ts` (see tsup.config.ts), so nothing here reaches the browser entry.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import WebSocket from 'ws';
import { ProxyTunnelAgent } from '../proxy/agent';
import { resolveProxy } from '../proxy/environment';
import { ProxyError } from '../proxy/errors';
import { resolveClientTls } from '../tls/resolve';
import { DEFAULT_CLIENT_MAX_PAYLOAD, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS, OPEN } from '../core/constants';
import { WebSocketError } from '../core/errors';
import { headerRecord } from '../core/headers';
import { describeNetworkError } from '../core/network-errors';
import { deflateAnswerProblem } from './permessage-deflate';
import type { ConnectOptions, LookupFunction, OpenOptions } from '../core/options';
import type { EventSink } from './sink';
import type { WebSocketUrl } from '../core/url';
import { MAX_TIMER_MS } from '../core/validation';
import { OwnedWebSocket, WsSocket } from './ws-socket';

/** The most of an error response body quoted in a WebSocketError's reason. */
const MAX_QUOTED_BODY = 512;
/** Redirects followed with `followRedirects`, as ws's default. */
const MAX_REDIRECTS = 10;
/** How much later than rxws's handshake timer ws's own handshake timeout is set. */
const WS_HANDSHAKE_TIMEOUT_MARGIN_MS = 1_000;
/** ws's own `maxPayload` default (100 MiB), which it need not be told. */
const WS_DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

// closeTimeout and lookup reach ws / net.connect but are missing from @types/ws.
type WsClientOptions = WebSocket.ClientOptions & { closeTimeout: number; lookup?: ConnectOptions['lookup'] };

/** A connection being opened for one subscription; `dispose` is its teardown. */
export interface TransportConnection {
  dispose(): void;
}

type LookupAddress = { address: string; family: number };

/**
 * A user's `lookup` that answers in either form Node knows: `net.connect` asks with
 * `{ all: true }` (Node 20 tries IPv4 and IPv6 in turn) and then needs an array, else one address.
 */
export function eitherFormLookup(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    const all = (options as { all?: boolean }).all === true;
    lookup(hostname, options, (err, answer, family) => {
      if (err) return callback(err, all ? [] : '', family);
      if (all === Array.isArray(answer)) return callback(null, answer, family);
      if (all) return callback(null, [{ address: answer as string, family: family ?? (isIP(answer as string) || 4) }]);
      const first = (answer as LookupAddress[])[0];
      if (first === undefined) {
        return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (lookup answered no address)`), { code: 'ENOTFOUND', hostname }), '', 4);
      }
      callback(null, first.address, first.family);
    });
  };
}

/** Why the server's subprotocol answer was refused (RFC 6455 §4.1), in words a user can act on. */
function protocolMismatchReason(message: string, target: WebSocketUrl, offered: readonly string[], picked: string | undefined): string {
  const list = offered.map((p) => `'${p}'`).join(', ');
  if (/no subprotocol/i.test(message)) {
    return `The server at ${target.href} accepted none of the offered subprotocols (${list}): its answer had no Sec-WebSocket-Protocol`;
  }
  if (/none was requested/i.test(message)) {
    return `The server at ${target.href} picked subprotocol '${picked ?? ''}' although none was offered`;
  }
  return `The server at ${target.href} picked subprotocol '${picked ?? ''}', which was not offered (offered: ${list})`;
}

function proxyError(err: ProxyError, target: WebSocketUrl): WebSocketError {
  return new WebSocketError({ code: err.code, reason: err.reason, url: target.href, httpStatus: err.status, cause: err });
}

function handshakeError(message: string, target: WebSocketUrl, cause: unknown, offered: readonly string[], picked: string | undefined): WebSocketError {
  if (/Sec-WebSocket-Accept/i.test(message)) {
    return new WebSocketError({ code: 'INVALID_ACCEPT', url: target.href, cause, reason: `Invalid Sec-WebSocket-Accept value from ${target.href}` });
  }
  if (/subprotocol/i.test(message)) {
    return new WebSocketError({ code: 'PROTOCOL_MISMATCH', url: target.href, cause, reason: protocolMismatchReason(message, target, offered, picked) });
  }
  return new WebSocketError({ code: 'HANDSHAKE_FAILED', url: target.href, cause, reason: `Handshake with ${target.href} failed: ${message}` });
}

/** `ws:` / `wss:` origin of a URL (http(s) counted as ws(s), as ws does). */
function originOf(url: URL): string {
  return `${url.protocol.replace(/^http/, 'ws')}//${url.host}`;
}

/**
 * One redirect of the upgrade, before its request is sent (ws's `redirect` event; with a listener
 * ws leaves the headers to it). Refuses wss: to ws:; to another origin drops the user's headers and
 * credentials (they go to the origin first asked only). Returns the new URL, or the error to fail with.
 */
function followRedirect(target: WebSocketUrl, from: string, to: string, req: ClientRequest, headers: Record<string, string> | undefined): string | WebSocketError {
  let next: URL;
  try {
    next = new URL(to);
  } catch {
    return new WebSocketError({ code: 'HANDSHAKE_FAILED', url: from, reason: `${from} redirected to an invalid URL '${to}'` });
  }
  const secure = next.protocol === 'wss:' || next.protocol === 'https:';
  if (target.secure && !secure) {
    return new WebSocketError({
      code: 'HANDSHAKE_FAILED',
      url: from,
      reason: `Refused the redirect from ${from} to ${next.href}: it would drop TLS (wss: to ws:); connect to a wss: URL instead`,
    });
  }
  if (originOf(next) !== originOf(new URL(target.href))) {
    for (const name of [...Object.keys(headers ?? {}), 'authorization', 'cookie']) req.removeHeader(name);
  }
  return next.href.replace(/^http/, 'ws');
}

/** The agent for `options.proxy` or the environment's proxy; undefined for a direct connection. */
function proxyAgentFor(target: WebSocketUrl, url: URL, options: OpenOptions): ProxyTunnelAgent | undefined {
  const proxy = resolveProxy(options.proxy, url);
  return proxy && new ProxyTunnelAgent(proxy, target.secure);
}

/** A client connection's socket: it may check the subprotocol answer itself (see openConnection). */
class ClientSocket extends WsSocket {
  /** The subprotocol the transport checked itself (when it offered them as a header), else ws's. */
  negotiatedProtocol: string | undefined = undefined;

  override get protocol(): string {
    return this.negotiatedProtocol ?? this.ws.protocol;
  }
}

/**
 * Opens one `ws` client connection and feeds its events to `sink`. `parsed` is `target` parsed
 * (see parseWebSocketTarget): a URL of this connection's own, which ws takes as it is.
 */
export function openConnection(target: WebSocketUrl, options: OpenOptions, sink: EventSink, parsed: URL = new URL(target.href)): TransportConnection {
  // RFC 6455 §4.1 lets a server answer no subprotocol, and browsers then open with protocol ''.
  // ws refuses that answer, so unless requireProtocol the offer goes as a plain header and the
  // answer is checked here (on 'upgrade', before ws looks at it).
  const offered = options.protocols ?? [];
  const checkedHere = offered.length > 0 && options.requireProtocol !== true;
  const agent = proxyAgentFor(target, parsed, options);
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const wsOptions: WsClientOptions = {
    perMessageDeflate: options.perMessageDeflate ?? false,
    closeTimeout: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    // A backstop later than the timer below, which reports the timeout: measured, a request
    // with a timeout costs Node less to set up than one without (~7 % of a handshake's CPU).
    handshakeTimeout: Math.min(timeoutMs + WS_HANDSHAKE_TIMEOUT_MARGIN_MS, MAX_TIMER_MS),
  };
  // Only what differs from ws's defaults: ws copies its options into every object it hands to
  // http.request, the agent and net.connect, and each key, even undefined, costs there (three
  // undefined keys made a handshake ~10 % dearer in client CPU).
  if (agent !== undefined) wsOptions.agent = agent;
  if (options.lookup !== undefined) wsOptions.lookup = eitherFormLookup(options.lookup);
  if (checkedHere) wsOptions.headers = { ...options.headers, 'Sec-WebSocket-Protocol': offered.join(', ') };
  else if (options.headers !== undefined) wsOptions.headers = options.headers;
  const maxPayload = options.maxPayload ?? DEFAULT_CLIENT_MAX_PAYLOAD;
  if (maxPayload !== WS_DEFAULT_MAX_PAYLOAD) wsOptions.maxPayload = maxPayload;
  if (options.autoPong === false) wsOptions.autoPong = false;
  if (options.followRedirects === true) {
    wsOptions.followRedirects = true;
    wsOptions.maxRedirects = MAX_REDIRECTS;
  }
  // @types/ws types checkServerIdentity differently from Node; ws passes it to tls.connect as is.
  if (target.secure) Object.assign(wsOptions, resolveClientTls(options.tls, target.hostname) as WebSocket.ClientOptions);
  const ws = new OwnedWebSocket(parsed, options.protocols && !checkedHere ? [...options.protocols] : undefined, wsOptions);
  const socket = new ClientSocket(ws, options.binaryType !== 'buffer', options.corkWrites !== false);
  let settled = false;
  let responseHeaders: Record<string, string> = {};

  const fail = (err: WebSocketError): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    agent?.cancel();
    socket.terminate();
    sink.error(err);
  };
  const timer = setTimeout(() => {
    const atProxy = agent?.timeoutError(`${target.hostname}:${target.port}`, timeoutMs);
    if (atProxy) return fail(proxyError(atProxy, target));
    fail(new WebSocketError({
      code: 'HANDSHAKE_TIMEOUT',
      url: target.href,
      reason: `Handshake with ${target.href} did not complete within ${timeoutMs} ms`,
    }));
  }, timeoutMs);

  const onHandshakeError = (err: Error & { code?: string }): void => {
    if (settled) return;
    if (err instanceof ProxyError) {
      fail(proxyError(err, target));
    } else if (typeof err.code === 'string' && !err.code.startsWith('WS_ERR_')) {
      const clientCertificate = target.secure && options.tls?.certFile !== undefined;
      const { code, reason } = describeNetworkError(err, target.hostname, target.port, { clientCertificate });
      fail(new WebSocketError({ code, reason, url: target.href, cause: err }));
    } else {
      fail(handshakeError(err.message, target, err, options.protocols ?? [], responseHeaders['sec-websocket-protocol']));
    }
  };
  // Stays for the connection's life: a late error (after the subscriber left, or after a close)
  // must never become an uncaught exception; it ignores what comes once settled (after the open,
  // the socket gets errors from OwnedWebSocket).
  ws.on('error', onHandshakeError);
  let url = target.href;
  if (options.followRedirects === true) {
    ws.on('redirect', (next: string, req: ClientRequest) => {
      const hop = followRedirect(target, url, next, req, options.headers);
      if (hop instanceof WebSocketError) return fail(hop);
      url = hop;
    });
  }
  ws.on('upgrade', (res: IncomingMessage) => {
    responseHeaders = headerRecord(res.headers);
    const problem = deflateAnswerProblem(options.perMessageDeflate, responseHeaders['sec-websocket-extensions']);
    if (problem !== undefined) {
      // RFC 7692 §7.1: an answer the offer does not allow fails the connection.
      fail(new WebSocketError({
        code: 'HANDSHAKE_FAILED',
        url: target.href,
        reason: `Handshake with ${target.href} failed: invalid Sec-WebSocket-Extensions answer: ${problem}`,
      }));
      return;
    }
    if (!checkedHere) return;
    const picked = responseHeaders['sec-websocket-protocol'];
    delete res.headers['sec-websocket-protocol']; // ws offered nothing, so it must see no answer
    if (picked !== undefined && !offered.includes(picked)) fail(handshakeError('Server sent an invalid subprotocol', target, undefined, offered, picked));
    socket.negotiatedProtocol = picked ?? '';
  });
  ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
    // Read a little of the body: servers often say there why they refused.
    let body = '';
    const done = (): void => {
      req.destroy();
      const quoted = body.trim().slice(0, MAX_QUOTED_BODY);
      fail(new WebSocketError({
        code: 'UNEXPECTED_STATUS',
        url: target.href,
        httpStatus: res.statusCode ?? 0,
        headers: headerRecord(res.headers),
        reason:
          `Expecting status 101 (Switching Protocol), got ${res.statusCode} status connecting to ${target.href}` +
          (quoted ? `: ${quoted}` : ''),
      }));
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      body += chunk;
      if (body.length >= MAX_QUOTED_BODY) done();
    });
    res.on('end', done);
    res.on('error', done);
  });
  ws.on('open', () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.attach(sink);
    const open = { type: 'open', url, headers: responseHeaders, protocol: socket.protocol, socket } as const;
    sink.next(agent ? { ...open, proxy: agent.proxy.display } : open);
  });

  return {
    dispose(): void {
      clearTimeout(timer);
      if (!settled) agent?.cancel();
      settled = true;
      socket.detach();
      if (ws.readyState === OPEN) socket.close();
      else socket.terminate();
    },
  };
}
