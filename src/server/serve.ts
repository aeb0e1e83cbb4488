import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Observable, Subject } from 'rxjs';
import type { WebSocket as WsWebSocket } from 'ws';
import { CloseCode, OPEN } from '../observables/constants';
import type { SendData } from '../observables/events';
import { resolveServerTls } from '../tls/resolve';
import type { AdapterHost, AdapterMessage, BroadcastAdapter } from './adapter';
import { Broadcaster } from './broadcast';
import { ServerConnection, type ConnectionContext } from './connection';
import type { KeptRequest } from './kept-request';
import { listenError } from './errors';
import { unverifiedClientRefusal } from './handshake';
import { answerHttpRequest, refuseHttpRequest } from './http-server';
import * as d from './options';
import type { ServeOptions } from './options';
import { audienceOf, Fanout, type Audience } from './topics';
import type { BroadcastOptions, ConnectionRequest, PublishResult, ServerErrorEvent } from './types';
import { requestTarget } from './request-target';
import { atLimitRefusal, PendingSockets } from './sockets';
import { Upgrades } from './upgrade';
import { messageServer, type MessageServer, type ServerCodecOptions } from '../messages/server';

/** Where a server listens. */
export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
}

/** The object `serve()` returns. */
export interface WebSocketServer {
  /** Resolves once listening (with the actual port when `port` was 0); rejects with a ServeError. */
  readonly listening: Promise<ListeningAddress>;
  /** Hot: one ServerConnection per accepted connection; completes after `close()`. */
  readonly connections$: Observable<ServerConnection>;
  /** The open connections (a live view). */
  readonly clients: ReadonlySet<ServerConnection>;
  /** Hot: failures that did not stop the server (a throwing `onRequest`, `authorize` or `protocols`). */
  readonly errors$: Observable<ServerErrorEvent>;
  /**
   * Sends `data` to every open connection, or to the members of `options.topic`, less
   * `options.except`; returns how many connections of THIS server it was queued for. The message
   * is framed once and written with the turn's other broadcasts in one write per socket.
   *
   * With an `adapter`, the message also goes to the other instances (fire-and-forget: a failure
   * is reported on `errors$` with source 'adapter'; use `publish` to await it). A `filter`
   * function cannot travel to other processes: `broadcast(data, filter)` stays on this server.
   */
  broadcast(data: SendData, options?: BroadcastOptions | ((connection: ServerConnection) => boolean)): number;
  /**
   * As `broadcast(data, options)`, but tells whether the other instances got it: resolves once the
   * adapter has handed the message on, rejects when it could not (Redis unreachable…). This
   * server's own clients get the message at once, in both cases. Without an adapter it resolves
   * at once with `instances: 1`.
   *
   * @example
   * try {
   *   const { local, instances } = await server.publish('deploy at 18:00', { topic: 'ops' });
   * } catch (e) {
   *   console.error('other instances did not get it:', e);
   * }
   */
  publish(data: SendData, options?: BroadcastOptions): Promise<PublishResult>;
  /** Closes every connection with 1001, stops listening and resolves when the port is released. */
  close(): Promise<void>;
}

const ignore = (): void => undefined;

class Server implements WebSocketServer, ConnectionContext {
  readonly listening: Promise<ListeningAddress>;
  readonly broadcaster: Broadcaster;
  readonly maxBufferedAmount: number;
  readonly maxPendingBytes: number;
  readonly corkWrites: boolean;
  readonly fanout: Fanout;
  private readonly adapter: BroadcastAdapter | undefined;
  private readonly connections = new Subject<ServerConnection>();
  private readonly errors = new Subject<ServerErrorEvent>();
  readonly connections$ = this.connections.asObservable();
  readonly errors$ = this.errors.asObservable();
  private readonly clientSet = new Set<ServerConnection>();
  private readonly http: http.Server;
  private readonly upgrades: Upgrades;
  private readonly sockets: PendingSockets;
  private readonly pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Client certificates are required (`tls.caFile` roots): unverified clients get 403. */
  private readonly verifiesClients: boolean;
  private nextId = 0;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  constructor(options: ServeOptions) {
    this.maxBufferedAmount = options.maxBufferedAmount ?? d.DEFAULT_MAX_BUFFERED_AMOUNT;
    this.maxPendingBytes = options.maxPendingBytes ?? d.DEFAULT_MAX_PENDING_BYTES;
    this.corkWrites = options.corkWrites ?? true;
    this.broadcaster = new Broadcaster(this.maxBufferedAmount);
    this.fanout = new Fanout(this.broadcaster, this.clientSet);
    this.adapter = options.adapter;
    // Before anything listens: an adapter that refuses (already in use) leaves nothing open.
    this.adapter?.attach(this.adapterHost);
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? d.DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS;
    const tls = options.tls ? resolveServerTls(options.tls) : undefined;
    this.verifiesClients = tls?.requestCert === true;
    // Client certificates are requested in TLS but judged here: Node would drop an unverified
    // client without a word (the client sees a reset); serve() answers it 403 with the reason.
    this.http = tls ? https.createServer({ ...tls, rejectUnauthorized: false, handshakeTimeout: handshakeTimeoutMs }) : http.createServer();
    const maxConnections = options.maxConnections ?? d.DEFAULT_MAX_CONNECTIONS;
    this.sockets = new PendingSockets(handshakeTimeoutMs, maxConnections, () => this.clientSet.size);
    this.upgrades = new Upgrades(
      options,
      this.verifiesClients,
      {
        isClosing: () => this.closing !== undefined,
        reportError: (event) => this.errors.next(event),
        accept: (ws, request) => this.accept(ws, request),
      },
      this.sockets,
    );
    this.http.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => this.sockets.accepted(socket));
    this.http.on('request', (req: IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket;
      this.sockets.requestStarted(socket);
      res.once('close', () => this.sockets.answered(socket));
      const target = requestTarget(req.url);
      const refusal =
        (this.verifiesClients ? unverifiedClientRefusal(socket) : undefined) ??
        (typeof target === 'string' ? undefined : target) ??
        (this.sockets.admit(socket) ? undefined : atLimitRefusal(maxConnections));
      if (refusal !== undefined) {
        refuseHttpRequest(req, res, refusal);
        return;
      }
      req.url = target as string;
      const limit = options.maxHttpBodyBytes ?? d.DEFAULT_MAX_HTTP_BODY;
      const readingBody = (onDeadline: (() => void) | undefined): void => this.sockets.readingBody(socket, onDeadline);
      void answerHttpRequest(req, res, options.onRequest, limit, (e) => this.errors.next(e), readingBody);
    });
    this.http.on('upgrade', this.upgrades.onUpgrade);
    const host = options.host ?? d.DEFAULT_HOST;
    const port = options.port ?? d.DEFAULT_PORT;
    this.listening = new Promise<ListeningAddress>((resolve, reject) => {
      this.http.once('listening', () => {
        const address = this.http.address();
        resolve({ host, port: typeof address === 'object' && address !== null ? address.port : port });
      });
      this.http.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    });
    // Nobody awaiting `listening` must not turn a failed listen into an unhandled rejection.
    this.listening.catch(ignore);
    this.http.on('error', (error: unknown) => this.errors.next({ source: 'server', error }));
    this.http.listen(port, host);
    const pingIntervalMs = options.pingIntervalMs ?? 0;
    if (pingIntervalMs > 0) this.pingTimer = setInterval(this.pingSweep, pingIntervalMs);
  }

  get clients(): ReadonlySet<ServerConnection> {
    return this.clientSet;
  }

  broadcast(data: SendData, options?: BroadcastOptions | ((connection: ServerConnection) => boolean)): number {
    checkData(data, 'broadcast()');
    if (typeof options === 'function') return this.fanout.deliver(data, audienceOf(undefined, 'broadcast()'), options);
    const audience = audienceOf(options, 'broadcast()');
    const count = this.fanout.deliver(data, audience);
    if (this.adapter !== undefined && this.closing === undefined) {
      this.adapter.publish(adapterMessage(data, audience.topics)).then(undefined, this.reportAdapterError);
    }
    return count;
  }

  publish(data: SendData, options?: BroadcastOptions): Promise<PublishResult> {
    let local: number;
    let audience: Audience;
    try {
      checkData(data, 'publish()');
      audience = audienceOf(options, 'publish()');
      local = this.fanout.deliver(data, audience);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.adapter === undefined) return Promise.resolve({ local, instances: 1 });
    if (this.closing !== undefined) return Promise.reject(new Error('publish(): the server is closed; other instances were not told'));
    return this.adapter.publish(adapterMessage(data, audience.topics)).then((instances) => ({ local, instances }));
  }

  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  closed(connection: ServerConnection): void {
    this.clientSet.delete(connection);
    if (this.clientSet.size === 0) this.drained?.();
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.pingTimer);
    const adapterClosed = this.adapter?.close().catch(this.reportAdapterError);
    const released = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.broadcaster.flushNow();
    if (this.clientSet.size > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve));
      for (const connection of this.clientSet) connection.close(CloseCode.GOING_AWAY, 'Server shutting down');
      await drained;
    }
    this.upgrades.destroyPending();
    this.http.closeAllConnections();
    await released;
    await adapterClosed;
    this.connections.complete();
    this.errors.complete();
  }

  private accept(ws: WsWebSocket, request: KeptRequest | ConnectionRequest): void {
    const connection = new ServerConnection(ws, ++this.nextId, request, this);
    this.clientSet.add(connection);
    this.connections.next(connection);
  }

  private readonly reportAdapterError = (error: unknown): void => this.errors.next({ source: 'adapter', error });

  /** What the adapter may call: deliver another instance's broadcast here, report a failure. */
  private readonly adapterHost: AdapterHost = {
    deliver: (message: AdapterMessage): number => this.fanout.deliver(message.data, { topics: message.topics, exceptId: 0 }),
    reportError: this.reportAdapterError,
  };

  private readonly pingSweep = (): void => {
    for (const connection of this.clientSet) {
      if (connection.readyState !== OPEN) continue;
      if (connection.awaitingPong) {
        connection.closeForPolicy(CloseCode.INTERNAL_ERROR, 'Ping timeout');
      } else {
        connection.awaitingPong = true;
        connection.ws.ping();
      }
    }
  };
}

function checkData(data: SendData, where: string): void {
  if (typeof data !== 'string' && !(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) {
    throw new TypeError(`${where}: data must be a string (text) or a Uint8Array / ArrayBuffer (binary)`);
  }
}

function adapterMessage(data: SendData, topics: readonly string[] | undefined): AdapterMessage {
  return { data: data instanceof ArrayBuffer ? new Uint8Array(data) : data, topics };
}

/**
 * Starts a WebSocket server (with plain HTTP on the same port). Invalid options throw a
 * ServeOptionsError (unreadable TLS files a TlsConfigError); a failed listen rejects `listening`.
 *
 * @example
 * import { serve } from 'rxws/server';
 * const server = serve({ port: 8008, protocols: ['chat.v1'] });
 * server.connections$.subscribe((conn) => {
 *   conn.messages$.subscribe((m) => server.broadcast(m.data));
 * });
 * console.log('listening on', await server.listening);
 * // later: await server.close();
 *
 * With a `codec`, connections carry decoded values; with `messaging`, requests are answered by
 * handlers (docs/messages.md):
 *
 * const api = serve({ port: 8008, codec: json(), messaging: { handlers: { add: (b) => (b as { a: number; b: number }).a + (b as { a: number; b: number }).b } } });
 */
export function serve<In, Out>(options: ServeOptions & ServerCodecOptions<In, Out>): MessageServer<In, Out>;
export function serve(options?: ServeOptions): WebSocketServer;
export function serve<In, Out>(options: ServeOptions & Partial<ServerCodecOptions<In, Out>> = {}): WebSocketServer | MessageServer<In, Out> {
  const { codec, decodeErrors, messaging, ...serveOptions } = options;
  d.validateServeOptions(serveOptions);
  if (codec === undefined) {
    if (messaging !== undefined && messaging !== false) throw new d.ServeOptionsError('messaging needs a codec to carry the envelope: add codec: json() or codec: msgpack()');
    return new Server(serveOptions);
  }
  // The codec and the envelope sit on each connection's events: the frame path stays as it is.
  let wrap;
  try {
    wrap = messageServer({ codec, decodeErrors, messaging });
  } catch (e) {
    throw new d.ServeOptionsError((e as Error).message);
  }
  return wrap(new Server(serveOptions));
}
