// The shape of the object serve() returns, and the values its methods take and give.
import type { Observable } from 'rxjs';
import type { SendData } from '../core/events';
import type { ServerConnection } from './connection';
import type { BroadcastOptions } from './fanout';

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

/** A failure inside the server that did not stop it, reported on `errors$`. */
export interface ServerErrorEvent {
  /** Where it happened. */
  readonly source: 'onRequest' | 'authorize' | 'protocols' | 'server' | 'adapter' | 'history';
  readonly error: unknown;
}

/** What `server.publish` resolves with. */
export interface PublishResult {
  /** Connections of this server the message was queued for. */
  readonly local: number;
  /**
   * Server instances the message reached, this one included: 1 without an adapter; with Redis,
   * the subscribers that PUBLISH reported (instances whose Redis connection was up).
   */
  readonly instances: number;
}
