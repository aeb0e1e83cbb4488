// rxws's own server as an echo peer with the same in-band commands as the other peers, for
// third-party clients (Python, ws, faye-websocket, Chromium) to talk to.
import { createHash } from 'node:crypto';
import type { Subscription } from 'rxjs';
import { serve, type ServeOptions, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { recorder, type PeerRecord } from './node-peers';

export interface RxwsEchoServer {
  readonly server: WebSocketServer;
  readonly port: number;
  readonly url: string;
  /** Resolves with what the server saw of the connection on `path` (connection, closed, binary). */
  record(path: string, event: PeerRecord['event']): Promise<PeerRecord>;
  close(): Promise<void>;
}

/**
 * Echoes, and runs "cmd:close CODE REASON", "cmd:ping PAYLOAD" and "cmd:info" for the peer.
 * On a path starting with /mute it answers no message at all (a peer that went silent).
 */
function echo(conn: ServerConnection, add: (r: PeerRecord) => void): Subscription {
  const path = conn.request.url;
  const mute = path.startsWith('/mute');
  add({ path, event: 'connection', protocol: conn.request.protocol });
  const pongsAwaited: string[] = [];
  return conn.events$.subscribe((e) => {
    switch (e.type) {
      case 'message':
        if (mute) break;
        if (e.binary) {
          add({ path, event: 'binary', length: e.data.byteLength, sha256: createHash('sha256').update(e.data).digest('hex') });
          conn.send(e.data);
        } else if (e.data.startsWith('cmd:')) {
          const [name, ...rest] = e.data.slice(4).split(' ');
          if (name === 'close') conn.close(Number(rest[0]), rest.slice(1).join(' '));
          else if (name === 'ping') {
            pongsAwaited.push(rest.join(' '));
            conn.ping(rest.join(' '));
          } else if (name === 'info') {
            conn.send(JSON.stringify({ subprotocol: conn.request.protocol, extensions: conn.request.headers['sec-websocket-extensions'] ?? '' }));
          }
        } else {
          conn.send(e.data);
        }
        break;
      case 'pong': {
        const payload = Buffer.from(e.data).toString();
        const index = pongsAwaited.indexOf(payload);
        if (index >= 0) {
          pongsAwaited.splice(index, 1);
          conn.send(`pong:${payload}`);
        }
        break;
      }
      case 'close':
        add({ path, event: 'closed', code: e.code, reason: e.reason });
        break;
    }
  });
}

/** `serve()` on 127.0.0.1 and a free port (unless `options.port` says otherwise), echoing. */
export async function startRxwsEchoServer(options: ServeOptions = {}): Promise<RxwsEchoServer> {
  const log = recorder();
  const server = serve({ host: '127.0.0.1', port: 0, ...options });
  const subscriptions: Subscription[] = [];
  const accepted = server.connections$.subscribe((conn) => subscriptions.push(echo(conn, log.add)));
  const { port } = await server.listening;
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}`,
    record: log.find,
    close: async () => {
      await server.close();
      accepted.unsubscribe();
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}
