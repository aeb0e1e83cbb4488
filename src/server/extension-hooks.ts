// What a server extension (channel history) may reach of the server that serve() made, without
// importing serve.ts (which imports the extensions): serve() registers each server here.
import type { SendData } from '../core/events';
import type { WebSocketServer } from './websocket-server';

/** The two things an extension needs that the public WebSocketServer does not offer. */
export interface ServerHooks {
  /** Delivers to this server's own members of `topic`, never through the adapter. */
  deliverLocally(data: SendData, topic: string): number;
  /** Reports a failure of an extension on `errors$` while the server runs. */
  reportError(source: 'history', error: unknown): void;
}

const registered = new WeakMap<WebSocketServer, ServerHooks>();

/** Called by serve() for each server it makes. */
export function registerServerHooks(server: WebSocketServer, hooks: ServerHooks): void {
  registered.set(server, hooks);
}

/**
 * Delivers `data` to this server's own members of `topic`, never through the adapter: channels
 * with a shared history read every publication from the store on each instance. A server that
 * serve() did not make gets a filtered broadcast.
 */
export function deliverLocally(server: WebSocketServer, data: SendData, topic: string): number {
  const hooks = registered.get(server);
  if (hooks !== undefined) return hooks.deliverLocally(data, topic);
  return server.broadcast(data, (connection) => connection.topics.has(topic));
}

/** Reports a failure of an extension (channel history) on `server.errors$`. */
export function reportServerError(server: WebSocketServer, source: 'history', error: unknown): void {
  registered.get(server)?.reportError(source, error);
}
