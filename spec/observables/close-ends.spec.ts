// After a closing handshake ws ends its socket a second time (when the peer's FIN arrives) and
// its receiver a second time (when the socket closes). Node's end() on a finished stream only
// builds an error no one reads; rxws's connections skip those calls (OwnedWebSocket.close). A
// raw ws connection, measured the same way, shows the calls are there to skip.
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { Socket } from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { connect, type WebSocketEvent } from 'rxws';
import { serve, type ServerConnection } from 'rxws/server';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';

type Stream = { _writableState: { finished: boolean; destroyed: boolean } };

/** Records every end() that reaches Node on a stream already finished or destroyed. */
function watchLateEnds(): { late: Set<unknown>; restore(): void } {
  const late = new Set<unknown>();
  const originals = [Socket.prototype.end, Writable.prototype.end] as const;
  const wrap = (original: (...a: unknown[]) => unknown) =>
    function (this: Stream, ...args: unknown[]) {
      if (this._writableState.finished || this._writableState.destroyed) late.add(this);
      return original.apply(this, args);
    };
  Socket.prototype.end = wrap(originals[0] as never) as never;
  Writable.prototype.end = wrap(originals[1] as never) as never;
  return {
    late,
    restore: () => {
      Socket.prototype.end = originals[0];
      Writable.prototype.end = originals[1];
    },
  };
}

/** The net.Socket and ws Receiver under a ws WebSocket. */
const streamsOf = (ws: WebSocket): unknown[] => {
  const inner = ws as unknown as { _socket: unknown; _receiver: unknown };
  return [inner._socket, inner._receiver];
};

const ROUNDS = 10;

describe('closing handshake: no second end() reaches Node', () => {
  let server: TestWsServer | undefined;
  let watch: ReturnType<typeof watchLateEnds> | undefined;
  afterEach(async () => {
    watch?.restore();
    watch = undefined;
    await server?.close();
    server = undefined;
  });

  it('connect(): none on its socket or receiver; a ws client, same server, same close, has them', async () => {
    server = await startWsServer();
    watch = watchLateEnds();
    const rxwsStreams: unknown[] = [];
    const rawStreams: unknown[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const events: WebSocketEvent[] = [];
      await new Promise<void>((resolve, reject) =>
        connect(server!.url).subscribe({
          next: (e) => {
            events.push(e);
            if (e.type === 'open') {
              rxwsStreams.push(...streamsOf((e.socket as unknown as { ws: WebSocket }).ws));
              e.socket.close(1000, 'done');
            }
          },
          error: reject,
          complete: resolve,
        }),
      );
      expect(events.map((e) => e.type)).toEqual(['open', 'close']);
      expect(events[1]).toMatchObject({ code: 1000, reason: 'done', wasClean: true });

      const raw = new WebSocket(server.url);
      await once(raw, 'open');
      rawStreams.push(...streamsOf(raw));
      raw.close(1000, 'done');
      await once(raw, 'close');
    }
    expect(rxwsStreams.filter((s) => watch!.late.has(s)).length).toBe(0);
    expect(rawStreams.filter((s) => watch!.late.has(s)).length).toBeGreaterThan(0);
  });

  it('serve(): none on a connection the client closed; a ws WebSocketServer has them', async () => {
    const rxws = serve({ host: '127.0.0.1', port: 0 });
    const { port } = await rxws.listening;
    server = await startWsServer();
    watch = watchLateEnds();
    const rxwsStreams: unknown[] = [];
    const rawStreams: unknown[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const accepted = new Promise<ServerConnection>((resolve) => {
          const sub = rxws.connections$.subscribe((c) => {
            sub.unsubscribe();
            resolve(c);
          });
        });
        const client = new WebSocket(`ws://127.0.0.1:${port}`);
        const conn = await accepted;
        await once(client, 'open');
        rxwsStreams.push(...streamsOf((conn as unknown as { ws: WebSocket }).ws));
        const connClosed = firstValueFrom(conn.events$.pipe(filter((e) => e.type === 'close')));
        client.close(1000, 'done');
        await once(client, 'close');
        expect(await connClosed).toMatchObject({ code: 1000, reason: 'done' });

        const rawAccepted = server.nextConnection();
        const rawClient = new WebSocket(server.url);
        const peer = await rawAccepted;
        rawStreams.push(...streamsOf(peer));
        await once(rawClient, 'open');
        const peerClosed = once(peer, 'close');
        rawClient.close(1000, 'done');
        await once(rawClient, 'close');
        await peerClosed;
      }
    } finally {
      await rxws.close();
    }
    expect(rxwsStreams.filter((s) => watch!.late.has(s)).length).toBe(0);
    expect(rawStreams.filter((s) => watch!.late.has(s)).length).toBeGreaterThan(0);
  });
});
