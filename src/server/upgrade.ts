import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer as WsServer, type ServerOptions as WsServerOptions, type WebSocket as WsWebSocket } from 'ws';
import { acceptableDeflateOffers } from '../observables/permessage-deflate';
import { OwnedWebSocket } from '../observables/ws-socket';
import { clientCertificate } from './certificate';
import { keepRequest, peerOf, requestOf, SharedStrings, type KeptRequest } from './kept-request';
import { checkUpgradeRequest, chooseProtocol, parseOfferedProtocols, refusalOf, unverifiedClientRefusal, writeRefusal } from './handshake';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PAYLOAD, DEFAULT_SERVER_CLOSE_TIMEOUT_MS, DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS, type ServeOptions } from './options';
import { requestTarget } from './request-target';
import { atLimitRefusal, type PendingSockets } from './sockets';
import type { AuthorizeResult, ConnectionRequest, UpgradeRefusal, UpgradeRequest } from './requests';
import type { ServerErrorEvent } from './websocket-server';

const ignore = (): void => undefined;
const isThenable = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/** What the upgrade path needs from its server. */
export interface UpgradeHost {
  /** `close()` has been called: new upgrades are refused with 503. */
  isClosing(): boolean;
  reportError(event: ServerErrorEvent): void;
  /** Takes an upgraded socket on as a connection (its request kept compactly, or as the object when it holds a certificate). */
  accept(ws: WsWebSocket, request: KeptRequest | ConnectionRequest): void;
}

/**
 * From a new TCP/TLS socket to an accepted WebSocket: the handshake timer, the checks on the
 * upgrade request, the `authorize` and `protocols` hooks, and the upgrade itself.
 */
export class Upgrades {
  private readonly wss: WsServer;
  /** Sockets waiting for `authorize`. */
  private readonly authorizing = new WeakSet<Duplex>();
  private nextProtocol = '';
  /** The request heads of the connections, shared between those with the same one. */
  private readonly heads = new SharedStrings();

  constructor(
    private readonly options: ServeOptions,
    /** Client certificates are required (`tls.caFile` roots): unverified clients get 403. */
    private readonly verifiesClients: boolean,
    private readonly host: UpgradeHost,
    /** Deadlines and `maxConnections` slots of the sockets not yet upgraded. */
    private readonly sockets: PendingSockets,
  ) {
    this.wss = new WsServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      perMessageDeflate: options.perMessageDeflate ?? false,
      autoPong: options.autoPong ?? true,
      closeTimeout: options.closeTimeoutMs ?? DEFAULT_SERVER_CLOSE_TIMEOUT_MS,
      handleProtocols: () => this.nextProtocol || false,
      // Its events go to the connection without listeners (see OwnedWebSocket).
      WebSocket: OwnedWebSocket,
    } as WsServerOptions & { closeTimeout: number });
  }

  /** The http server's 'upgrade' listener. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', ignore);
    // A pipelined upgrade waits for the answers to the requests before it (RFC 9112 §9.3.2: in order).
    this.sockets.upgradeStarted(socket, () => this.undecided(socket), () => this.check(req, socket, head));
  };

  /** The deadline passed before the upgrade was decided (an `authorize` that did not settle). */
  private undecided(socket: Duplex): void {
    if (!this.authorizing.has(socket)) {
      socket.destroy();
      return;
    }
    this.authorizing.delete(socket);
    const ms = this.options.handshakeTimeoutMs ?? DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS;
    this.host.reportError({ source: 'authorize', error: new Error(`authorize did not settle within handshakeTimeoutMs (${ms} ms); the client got 503`) });
    writeRefusal(socket, { status: 503, reason: 'The server could not decide on this connection in time; try again later', headers: { 'Retry-After': '1' } });
  }

  private check(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (socket.destroyed) return;
    const max = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const offered = parseOfferedProtocols(req.headers['sec-websocket-protocol']);
    const target = requestTarget(req.url);
    const refusal: UpgradeRefusal | undefined = this.host.isClosing()
      ? { status: 503, reason: 'Server is shutting down' }
      : (this.verifiesClients ? unverifiedClientRefusal(req.socket) : undefined) ??
        (typeof target === 'string' ? undefined : target) ??
        checkUpgradeRequest(req) ??
        (offered === undefined ? { status: 400, reason: 'Invalid Sec-WebSocket-Protocol header: expected a comma-separated list of distinct tokens' } : undefined) ??
        (this.sockets.admit(socket) ? undefined : atLimitRefusal(max));
    if (refusal !== undefined) {
      this.refuse(socket, refusal);
      return;
    }
    const tcp = req.socket;
    req.url = target as string;
    const peer = peerOf(tcp);
    const request: UpgradeRequest = {
      url: req.url,
      headers: req.headers,
      remoteAddress: peer.address,
      remotePort: peer.port,
      offeredProtocols: offered ?? [],
      certificate: clientCertificate(tcp),
    };
    const authorize = this.options.authorize;
    if (authorize === undefined) {
      this.decide(undefined, req, socket, head, request);
      return;
    }
    this.authorizing.add(socket);
    const settle = (result: AuthorizeResult | Error): void => {
      // Not waiting any more: the deadline answered, or the client left.
      if (!this.authorizing.delete(socket)) return;
      this.decide(result, req, socket, head, request);
    };
    try {
      const result = authorize(request);
      if (isThenable(result)) result.then(settle, (err: unknown) => settle(err instanceof Error ? err : new Error(String(err))));
      else settle(result);
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Drops the sockets still waiting for an upgrade decision (on shutdown). */
  destroyPending(): void {
    this.sockets.destroyUpgrading();
  }

  private refuse(socket: Duplex, refusal: UpgradeRefusal): void {
    this.sockets.done(socket);
    writeRefusal(socket, refusal);
  }

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
      this.refuse(socket, refusal);
      return;
    }
    this.sockets.done(socket);
    this.nextProtocol = protocol;
    this.declineUnacceptableDeflateOffers(req);
    this.wss.handleUpgrade(req, socket, head, (ws: WsWebSocket) => this.upgraded(ws, request, socket));
    this.nextProtocol = '';
  }

  /**
   * Leaves only the permessage-deflate offers this server can accept in the header ws reads:
   * ws would answer any other with 400, where RFC 7692 §5 declines it and goes on without.
   * A new headers object, so the request the hooks and the connection see keeps the offer.
   */
  private declineUnacceptableDeflateOffers(req: IncomingMessage): void {
    const offer = req.headers['sec-websocket-extensions'];
    const deflate = this.options.perMessageDeflate ?? false;
    if (offer === undefined || deflate === false) return;
    const { 'sec-websocket-extensions': _, ...others } = req.headers;
    const acceptable = acceptableDeflateOffers(offer, deflate);
    req.headers = acceptable === undefined ? others : { ...others, 'sec-websocket-extensions': acceptable };
  }

  private upgraded(ws: WsWebSocket, upgrade: UpgradeRequest, socket: Duplex): void {
    // ws now handles the socket's errors: two listeners would cost an array per connection.
    socket.removeListener('error', ignore);
    const { url, headers, remoteAddress, remotePort, certificate } = upgrade;
    const kept = keepRequest(url, headers, { address: remoteAddress, port: remotePort }, this.heads);
    this.host.accept(ws, certificate === undefined ? kept : requestOf(kept, ws.protocol, certificate));
  }
}
