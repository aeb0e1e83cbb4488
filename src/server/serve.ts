import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Subject } from 'rxjs';
import type { WebSocket as WsWebSocket } from 'ws';
import { CloseCode, OPEN } from '../core/constants';
import type { SendData } from '../core/events';
import { resolveServerTls } from '../tls/resolve';
import type { AdapterHost, AdapterMessage, BroadcastAdapter } from './adapter';
import { FrameBatcher } from './frame-batcher';
import { ServerConnection, type ConnectionContext } from './connection';
import type { KeptRequest } from './kept-request';
import { listenError } from './errors';
import { unverifiedClientRefusal } from './handshake';
import { answerHttpRequest, refuseHttpRequest } from './http/http-server';
import {
  DEFAULT_HOST,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_HTTP_BODY,
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_PORT,
  DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS,
  serveOptionsError,
  validateServeOptions,
  type ServeOptions,
} from './options';
import { registerServerHooks } from './extension-hooks';
import { audienceOf, Fanout, type Audience, type BroadcastOptions } from './fanout';
import type { ConnectionRequest } from './requests';
import type { ListeningAddress, PublishResult, ServerErrorEvent, WebSocketServer } from './websocket-server';
import { requestTarget } from './request-target';
import { atLimitRefusal, PendingSockets } from './sockets';
import { Upgrades } from './upgrade';
import { messageServer, type MessageServer, type ServerCodecOptions } from './message-server';


const ignore = (): void => undefined;

class Server implements WebSocketServer, ConnectionContext {
  readonly listening: Promise<ListeningAddress>;
  readonly batcher: FrameBatcher;
  readonly maxBufferedAmount: number;
  readonly maxPendingBytes: number;
  readonly corkWrites: boolean;
  readonly fanout: Fanout<ServerConnection>;
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
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.corkWrites = options.corkWrites ?? true;
    this.batcher = new FrameBatcher(this.maxBufferedAmount);
    this.fanout = new Fanout(this.batcher, this.clientSet);
    registerServerHooks(this, {
      deliverLocally: (data, topic) => this.fanout.deliver(data, { topics: [topic], exceptId: 0 }),
      reportError: (source, error) => this.reportError(source, error),
    });
    this.adapter = options.adapter;
    // Before anything listens: an adapter that refuses (already in use) leaves nothing open.
    this.adapter?.attach(this.adapterHost);
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS;
    const tls = options.tls ? resolveServerTls(options.tls) : undefined;
    this.verifiesClients = tls?.requestCert === true;
    // Client certificates are requested in TLS but judged here: Node would drop an unverified
    // client without a word (the client sees a reset); serve() answers it 403 with the reason.
    this.http = tls ? https.createServer({ ...tls, rejectUnauthorized: false, handshakeTimeout: handshakeTimeoutMs }) : http.createServer();
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
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
      const limit = options.maxHttpBodyBytes ?? DEFAULT_MAX_HTTP_BODY;
      const readingBody = (onDeadline: (() => void) | undefined): void => this.sockets.readingBody(socket, onDeadline);
      void answerHttpRequest(req, res, options.onRequest, limit, (e) => this.errors.next(e), readingBody);
    });
    this.http.on('upgrade', this.upgrades.onUpgrade);
    const host = options.host ?? DEFAULT_HOST;
    const port = options.port ?? DEFAULT_PORT;
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
    this.batcher.flushNow();
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

  /** Reports a failure of an extension of this server (while it runs). */
  reportError(source: 'history', error: unknown): void {
    if (this.closing === undefined) this.errors.next({ source, error });
  }

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
  validateServeOptions(serveOptions);
  if (codec === undefined) {
    if (messaging !== undefined && messaging !== false) throw serveOptionsError('messaging needs a codec to carry the envelope: add codec: json() or codec: msgpack()');
    return new Server(serveOptions);
  }
  // The codec and the envelope sit on each connection's events: the frame path stays as it is.
  let wrap;
  try {
    wrap = messageServer({ codec, decodeErrors, messaging });
  } catch (e) {
    throw serveOptionsError((e as Error).message);
  }
  return wrap(new Server(serveOptions));
}
