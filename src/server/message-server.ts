// serve() with a codec: typed connections, and the server side of the envelope when `messaging` is on.
// Server-only (imports the server's types), reached from src/server/serve.ts alone.
import { Observable, Subject } from 'rxjs';
import type { SendData, SocketHandle, WebSocketCloseEvent, WriteCallback } from '../core/events';
import type { ServerConnection } from './connection';
import type { ConnectionRequest } from './requests';
import type { BroadcastOptions } from './fanout';
import type { PublishResult, WebSocketServer } from './websocket-server';
import { assertCodec, type Codec } from '../messages/codecs';
import { decodeEvents, type MessageLayer } from '../messages/decode-events';
import { RequestRunner, type ServerMessagingOptions } from '../messages/handlers';
import { ServerLayer } from './message-layer';
import type { DecodeErrorPolicy, DecodedMessageEvent, TypedOpenEvent, TypedSocketHandle, TypedWebSocketEvent } from '../messages/typed-events';

/** The codec options of `serve()`. */
export interface ServerCodecOptions<In, Out> {
  /** How messages are encoded and decoded: `json()`, `msgpack()`, `text()`, `binary()` or your own. */
  codec: Codec<In, Out>;
  /** What to do with a message that does not decode: `'event'` (default) or `'close'` (1007). */
  decodeErrors?: DecodeErrorPolicy;
  /**
   * Speak rxws's envelope (docs/protocol.md): answer requests with `handlers`, send `msg`
   * envelopes from `send(value)`. `true` or options. Default off.
   */
  messaging?: boolean | ServerMessagingOptions<MessageConnection<In, Out>>;
}

/**
 * A server connection with a codec: `events$` / `messages$` carry decoded values, `send` takes
 * values to encode. Subscribe to its events when `connections$` emits it: events that come
 * before a subscription are not kept (requests are answered whether or not anyone subscribes).
 *
 * @example
 * server.connections$.subscribe((conn) => {
 *   conn.messages$.subscribe((m) => conn.send({ echo: m.data }));
 * });
 */
export class MessageConnection<In, Out> {
  /** The connection underneath (frames as they are). */
  readonly raw: ServerConnection;
  private socketHandle!: TypedSocketHandle<Out>;
  private readonly subject = new Subject<TypedWebSocketEvent<In, Out>>();
  private open: TypedOpenEvent<Out> | undefined;
  private closeEvent: WebSocketCloseEvent | undefined;
  private completed = false;

  /** @internal Made by `serve()`. */
  constructor(raw: ServerConnection, codec: Codec<In, Out>, decodeErrors: DecodeErrorPolicy | undefined, layer: MessageLayer | undefined, closed: () => void) {
    this.raw = raw;
    // events$ of a server connection gives `open` at once, on subscription: the typed socket
    // decodeEvents makes for it is this connection's from the start.
    raw.events$.pipe(decodeEvents(codec, { decodeErrors, layer })).subscribe({
      next: (event) => {
        if (event.type === 'open') {
          this.open = event;
          this.socketHandle = event.socket;
          return;
        }
        if (event.type === 'close') this.closeEvent = event;
        this.subject.next(event);
      },
      complete: () => {
        this.completed = true;
        closed();
        this.subject.complete();
      },
    });
  }

  /** Server-unique, counted from 1 in accept order. */
  get id(): number {
    return this.raw.id;
  }

  /** The handshake request. */
  get request(): ConnectionRequest {
    return this.raw.request;
  }

  /** The typed socket: `send` encodes. */
  get socket(): TypedSocketHandle<Out> {
    return this.socketHandle;
  }

  /** `open` (at once), then decoded `message`s, `decodeError`s, `ping`, `pong`, `close`, then completion. */
  get events$(): Observable<TypedWebSocketEvent<In, Out>> {
    return new Observable<TypedWebSocketEvent<In, Out>>((subscriber) => {
      if (this.open !== undefined) subscriber.next(this.open);
      if (this.completed) {
        if (this.closeEvent !== undefined) subscriber.next(this.closeEvent);
        subscriber.complete();
        return undefined;
      }
      return this.subject.subscribe(subscriber);
    });
  }

  /** The decoded `message` events; completes when the connection closes. */
  get messages$(): Observable<DecodedMessageEvent<In, Out>> {
    return new Observable<DecodedMessageEvent<In, Out>>((subscriber) => {
      if (this.completed) {
        subscriber.complete();
        return undefined;
      }
      return this.subject.subscribe({
        next: (e) => e.type === 'message' && subscriber.next(e),
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
  }

  /** Encodes `value` and sends it (a `msg` envelope with messaging on); as `ServerConnection.send` otherwise. */
  send(value: Out, onWritten?: WriteCallback): boolean {
    return this.socketHandle.send(value, onWritten);
  }

  /** Starts the closing handshake (default 1000). */
  close(code?: number, reason?: string): void {
    this.raw.close(code, reason);
  }

  /** Sends a ping. */
  ping(data?: SendData): boolean {
    return this.raw.ping(data);
  }

  /** Joins a topic (see `ServerConnection.join`). */
  join(topic: string): boolean {
    return this.raw.join(topic);
  }

  /** Leaves a topic. */
  leave(topic: string): boolean {
    return this.raw.leave(topic);
  }

  /** The topics joined. */
  get topics(): ReadonlySet<string> {
    return this.raw.topics;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): SocketHandle['readyState'] {
    return this.raw.readyState;
  }

  /** Bytes queued but not yet written to the network. */
  get bufferedAmount(): number {
    return this.raw.bufferedAmount;
  }

  /** The negotiated subprotocol, '' if none. */
  get protocol(): string {
    return this.raw.protocol;
  }
}

/** `serve()` with a codec: as `WebSocketServer`, with typed connections and `broadcast(value)`. */
export interface MessageServer<In, Out> extends Omit<WebSocketServer, 'connections$' | 'clients' | 'broadcast' | 'publish'> {
  /** Hot: one typed connection per accepted connection; completes after `close()`. */
  readonly connections$: Observable<MessageConnection<In, Out>>;
  /** The open connections (a live view). */
  readonly clients: ReadonlySet<MessageConnection<In, Out>>;
  /** The server underneath, whose `broadcast` sends frames as they are. */
  readonly raw: WebSocketServer;
  /** Encodes `value` once (a `msg` envelope with messaging on) and broadcasts it as `WebSocketServer.broadcast` does. */
  broadcast(value: Out, options?: BroadcastOptions | ((connection: MessageConnection<In, Out>) => boolean)): number;
  /** Encodes `value` once and publishes it as `WebSocketServer.publish` does. */
  publish(value: Out, options?: BroadcastOptions): Promise<PublishResult>;
}

/**
 * Checks the codec options of `serve()` (a bad one throws a TypeError naming it, before anything
 * listens) and returns what wraps the started server: each connection gets the codec (and layer).
 */
export function messageServer<In, Out>(options: ServerCodecOptions<In, Out>): (server: WebSocketServer) => MessageServer<In, Out> {
  assertServerCodecOptions(options as Partial<ServerCodecOptions<unknown, unknown>>);
  const { messaging } = options;
  const runner = messaging === undefined || messaging === false ? undefined : new RequestRunner<MessageConnection<In, Out>>(messaging === true ? {} : messaging);
  return (server) => wrapServer(server, options, runner);
}

function wrapServer<In, Out>(server: WebSocketServer, options: ServerCodecOptions<In, Out>, runner: RequestRunner<MessageConnection<In, Out>> | undefined): MessageServer<In, Out> {
  const { codec, decodeErrors } = options;
  const anyCodec = codec as Codec<unknown, unknown>;
  const byRaw = new Map<ServerConnection, MessageConnection<In, Out>>();
  const clients = new Set<MessageConnection<In, Out>>();
  const connections = new Subject<MessageConnection<In, Out>>();
  server.connections$.subscribe({
    next: (raw) => {
      const layer = runner === undefined ? undefined : new ServerLayer<MessageConnection<In, Out>>(runner, raw);
      const connection: MessageConnection<In, Out> = new MessageConnection<In, Out>(raw, codec, decodeErrors, layer, () => {
        byRaw.delete(raw);
        clients.delete(connection);
      });
      if (layer !== undefined) layer.connection = connection;
      byRaw.set(raw, connection);
      clients.add(connection);
      connections.next(connection);
    },
    complete: () => connections.complete(),
  });
  const frame = (value: Out): SendData => anyCodec.encode(runner === undefined ? value : { k: 'msg', body: value });
  return {
    listening: server.listening,
    errors$: server.errors$,
    close: () => server.close().then(() => runner?.dispose()),
    raw: server,
    connections$: connections.asObservable(),
    clients,
    broadcast: (value, broadcastOptions) => {
      if (typeof broadcastOptions !== 'function') return server.broadcast(frame(value), broadcastOptions);
      const filter = broadcastOptions;
      return server.broadcast(frame(value), (raw) => {
        const connection = byRaw.get(raw);
        return connection !== undefined && filter(connection);
      });
    },
    publish: (value, publishOptions) => server.publish(frame(value), publishOptions),
  };
}

/** Throws a TypeError naming the first codec option of `serve()` it cannot use. */
function assertServerCodecOptions(options: Partial<ServerCodecOptions<unknown, unknown>>): void {
  assertCodec(options.codec, 'serve()');
  const { decodeErrors, messaging } = options;
  if (decodeErrors !== undefined && decodeErrors !== 'event' && decodeErrors !== 'close') throw new TypeError(`serve(): decodeErrors must be 'event' or 'close', got ${JSON.stringify(decodeErrors)}`);
  if (messaging !== undefined && typeof messaging !== 'boolean' && (messaging === null || typeof messaging !== 'object')) throw new TypeError('serve(): messaging must be true, false or an options object');
}
