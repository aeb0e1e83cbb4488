import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer as WsServer, type ServerOptions as WsServerOptions, type WebSocket as WsWebSocket } from 'ws';
import { clientCertificate } from './certificate';
import { checkUpgradeRequest, chooseProtocol, parseOfferedProtocols, refusalOf, unverifiedClientRefusal, writeRefusal } from './handshake';
import * as d from './options';
import type { ServeOptions } from './options';
import type { AuthorizeResult, ConnectionRequest, ServerErrorEvent, UpgradeRefusal, UpgradeRequest } from './types';

const ignore = (): void => undefined;
const isThenable = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/** What the upgrade path needs from its server. */
export interface UpgradeHost {
  /** `close()` has been called: new upgrades are refused with 503. */
  isClosing(): boolean;
  /** How many connections are open (they count against `maxConnections`). */
  openCount(): number;
  reportError(event: ServerErrorEvent): void;
  /** Takes an upgraded socket on as a connection. */
  accept(ws: WsWebSocket, request: ConnectionRequest, socket: Duplex): void;
}

/**
 * From a new TCP/TLS socket to an accepted WebSocket: the handshake timer, the checks on the
 * upgrade request, the `authorize` and `protocols` hooks, and the upgrade itself.
 */
export class Upgrades {
  private readonly wss: WsServer;
  private readonly handshakeTimers = new WeakMap<Duplex, ReturnType<typeof setTimeout>>();
  /** Sockets waiting for `authorize`: they count against `maxConnections` and die on close. */
  private readonly upgrading = new Set<Duplex>();
  private nextProtocol = '';

  constructor(
    private readonly options: ServeOptions,
    /** Client certificates are required (`tls.caFile` roots): unverified clients get 403. */
    private readonly verifiesClients: boolean,
    private readonly host: UpgradeHost,
  ) {
    this.wss = new WsServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload ?? d.DEFAULT_MAX_PAYLOAD,
      perMessageDeflate: options.perMessageDeflate ?? false,
      autoPong: options.autoPong ?? true,
      closeTimeout: options.closeTimeoutMs ?? d.DEFAULT_SERVER_CLOSE_TIMEOUT_MS,
      handleProtocols: () => this.nextProtocol || false,
    } as WsServerOptions & { closeTimeout: number });
  }

  /** Destroys `socket` unless it sends a request (HTTP or upgrade) within `timeoutMs`. */
  startHandshakeTimer(socket: Duplex, timeoutMs: number): void {
    // Unref'd: an open socket keeps the process alive by itself, a closed one needs no timer.
    this.handshakeTimers.set(socket, setTimeout(() => socket.destroy(), timeoutMs).unref());
  }

  handshakeDone(socket: Duplex): void {
    const timer = this.handshakeTimers.get(socket);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.handshakeTimers.delete(socket);
    }
  }

  /** Drops the sockets still waiting for `authorize` (on shutdown). */
  destroyPending(): void {
    for (const socket of this.upgrading) socket.destroy();
  }

  /** The http server's 'upgrade' listener. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', ignore);
    this.handshakeDone(socket);
    const max = this.options.maxConnections ?? d.DEFAULT_MAX_CONNECTIONS;
    const offered = parseOfferedProtocols(req.headers['sec-websocket-protocol']);
    const refusal: UpgradeRefusal | undefined = this.host.isClosing()
      ? { status: 503, reason: 'Server is shutting down' }
      : (this.verifiesClients ? unverifiedClientRefusal(req.socket) : undefined) ??
        checkUpgradeRequest(req) ??
        (offered === undefined ? { status: 400, reason: 'Invalid Sec-WebSocket-Protocol header: expected a comma-separated list of distinct tokens' } : undefined) ??
        (this.host.openCount() + this.upgrading.size >= max
          ? { status: 503, reason: `Server is at its limit of ${max} connections; try again later`, headers: { 'Retry-After': '1' } }
          : undefined);
    if (refusal !== undefined) {
      writeRefusal(socket, refusal);
      return;
    }
    const tcp = req.socket;
    const request: UpgradeRequest = {
      url: req.url ?? '/',
      headers: req.headers,
      remoteAddress: tcp.remoteAddress ?? '',
      remotePort: tcp.remotePort ?? 0,
      offeredProtocols: offered ?? [],
      certificate: clientCertificate(tcp),
    };
    const authorize = this.options.authorize;
    if (authorize === undefined) {
      this.decide(undefined, req, socket, head, request);
      return;
    }
    this.upgrading.add(socket);
    const settle = (result: AuthorizeResult | Error): void => {
      this.upgrading.delete(socket);
      this.decide(result, req, socket, head, request);
    };
    try {
      const result = authorize(request);
      if (isThenable(result)) result.then(settle, (err: unknown) => settle(err instanceof Error ? err : new Error(String(err))));
      else settle(result);
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  };

  /** Refuses or upgrades once `authorize` has answered (undefined: there is none). */
  private decide(result: AuthorizeResult | Error, req: IncomingMessage, socket: Duplex, head: Buffer, request: UpgradeRequest): void {
    if (socket.destroyed) return;
    let refusal: UpgradeRefusal | undefined;
    let protocol = '';
    try {
      if (result instanceof Error) throw Object.assign(result, { source: 'authorize' });
      refusal = this.host.isClosing() ? { status: 503, reason: 'Server is shutting down' } : refusalOf(result);
      if (refusal === undefined) {
        const choice = chooseProtocol(this.options.protocols, request);
        if ('status' in choice) refusal = choice;
        else protocol = choice.protocol;
      }
    } catch (error) {
      const source = (error as { source?: string }).source === 'authorize' || result !== undefined ? 'authorize' : 'protocols';
      this.host.reportError({ source, error });
      refusal = { status: 500, reason: `Internal Server Error: the ${source} hook failed` };
    }
    if (refusal !== undefined) {
      writeRefusal(socket, refusal);
      return;
    }
    this.nextProtocol = protocol;
    this.wss.handleUpgrade(req, socket, head, (ws: WsWebSocket) => this.upgraded(ws, request, socket));
    this.nextProtocol = '';
  }

  private upgraded(ws: WsWebSocket, upgrade: UpgradeRequest, socket: Duplex): void {
    // ws now handles the socket's errors: two listeners would cost an array per connection.
    socket.removeListener('error', ignore);
    const { url, headers, remoteAddress, remotePort, certificate } = upgrade;
    this.host.accept(ws, { url, headers, remoteAddress, remotePort, protocol: ws.protocol, certificate }, socket);
  }
}
