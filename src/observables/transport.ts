// The Node transport of `connect`, on `ws`. The browser build swaps this module for
// `transport.browser.ts` (see tsup.config.ts), so nothing here reaches the browser entry.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import WebSocket from 'ws';
import { ProxyTunnelAgent } from '../proxy/agent';
import { resolveProxy } from '../proxy/environment';
import { ProxyError } from '../proxy/errors';
import { resolveClientTls } from '../tls/resolve';
import { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS, OPEN } from './constants';
import { WebSocketError } from './errors';
import { headerRecord } from './headers';
import { describeNetworkError } from './network-errors';
import type { ConnectOptions, LookupFunction } from './options';
import type { EventSink } from './sink';
import type { WebSocketUrl } from './url';
import { WsSocket } from './ws-socket';

/** The most of an error response body quoted in a WebSocketError's reason. */
const MAX_QUOTED_BODY = 512;

/** A connection being opened for one subscription; `dispose` is its teardown. */
export interface TransportConnection {
  dispose(): void;
}

type LookupAddress = { address: string; family: number };

/**
 * A user's `lookup` that answers in either form Node knows: `net.connect` asks with
 * `{ all: true }` (Node 20 tries IPv4 and IPv6 in turn) and then needs an array, else one address.
 */
function eitherFormLookup(lookup: LookupFunction): LookupFunction {
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

/** The agent for `options.proxy` or the environment's proxy; undefined for a direct connection. */
function proxyAgentFor(target: WebSocketUrl, options: ConnectOptions): ProxyTunnelAgent | undefined {
  const proxy = resolveProxy(options.proxy, new URL(target.href));
  return proxy && new ProxyTunnelAgent(proxy, target.secure);
}

/** Opens one `ws` client connection and feeds its events to `sink`. */
export function openConnection(target: WebSocketUrl, options: ConnectOptions, sink: EventSink): TransportConnection {
  const agent = proxyAgentFor(target, options);
  // closeTimeout and lookup reach ws / net.connect but are missing from @types/ws.
  const wsOptions: WebSocket.ClientOptions & { closeTimeout: number; lookup?: ConnectOptions['lookup'] } = {
    agent,
    lookup: options.lookup && eitherFormLookup(options.lookup),
    headers: options.headers,
    perMessageDeflate: options.perMessageDeflate ?? false,
    maxPayload: options.maxPayload,
    autoPong: options.autoPong ?? true,
    closeTimeout: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    followRedirects: true,
    maxRedirects: 10,
    // @types/ws types checkServerIdentity differently from Node; ws passes it to tls.connect as is.
    ...((target.secure ? resolveClientTls(options.tls, target.hostname) : {}) as WebSocket.ClientOptions),
  };
  const ws = new WebSocket(target.href, options.protocols ? [...options.protocols] : undefined, wsOptions);
  const socket = new WsSocket(ws, options.binaryType !== 'buffer');
  let settled = false;
  let responseHeaders: Record<string, string> = {};

  const fail = (err: WebSocketError): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    ws.removeListener('error', onHandshakeError);
    agent?.cancel();
    socket.terminate();
    sink.error(err);
  };
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
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
  ws.on('error', onHandshakeError);
  // A late error (after the subscriber left, or after a close) must never become an uncaught exception.
  ws.on('error', () => undefined);
  ws.on('upgrade', (res: IncomingMessage) => {
    responseHeaders = headerRecord(res.headers);
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
  ws.once('open', () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    ws.removeListener('error', onHandshakeError);
    socket.attach(sink);
    const open = { type: 'open', url: target.href, headers: responseHeaders, protocol: ws.protocol, socket } as const;
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
