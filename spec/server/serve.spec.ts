import { once } from 'node:events';
import type net from 'node:net';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { connect, type WebSocketEvent, type WebSocketOpenEvent } from 'rxws';
import { serve, ServeError, ServeOptionsError, type ServerConnection } from 'rxws/server';
import { firstMatch, flushIo, record } from '../helpers/observe';
import { closeAll, closed, nextConnection, start, wsClient } from './peers';

afterEach(closeAll);

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';

describe('serve()', () => {
  describe('listening', () => {
    it('resolves with the host and the port picked for port 0', async () => {
      const { server, port } = await start();
      expect(port).toBeGreaterThan(0);
      await expect(server.listening).resolves.toEqual({ host: '127.0.0.1', port });
    });

    it('rejects with ADDRESS_IN_USE and a readable reason when the port is taken', async () => {
      const { port } = await start();
      const second = serve({ host: '127.0.0.1', port });
      const err = (await second.listening.catch((e: unknown) => e)) as ServeError;
      expect(err).toBeInstanceOf(ServeError);
      expect(err.code).toBe('ADDRESS_IN_USE');
      expect(err.message).toContain(`127.0.0.1:${port}`);
      expect(err.message).toMatch(/already in use/);
      await second.close();
    });

    it('throws a ServeOptionsError naming a bad option', () => {
      expect(() => serve({ port: -1 })).toThrow(ServeOptionsError);
      expect(() => serve({ port: 70000 })).toThrow(/port must be at most 65535/);
      expect(() => serve({ maxConnections: 0 })).toThrow(/maxConnections/);
      expect(() => serve({ protocols: ['ok', 'bad name'] })).toThrow(/Invalid subprotocol "bad name"/);
    });
  });

  describe('connections', () => {
    it('emits one connection per client with its request: url, headers, remote address and port', async () => {
      const { server, url } = await start();
      const accepted = nextConnection(server);
      const ws = await wsClient(`${url}/room/1?x=2`, undefined, { headers: { 'X-Token': 'abc' } });
      const conn = await accepted;
      expect(conn.id).toBe(1);
      expect(conn.request.url).toBe('/room/1?x=2');
      expect(conn.request.headers['x-token']).toBe('abc');
      expect(conn.request.remoteAddress).toBe('127.0.0.1');
      expect(conn.request.remotePort).toBe((ws as unknown as { _socket: net.Socket })._socket.localPort);
      expect(conn.request.protocol).toBe('');
      expect(conn.request.certificate).toBeUndefined();
      expect(server.clients.has(conn)).toBe(true);
      expect(conn.socket).toBe(conn);
    });

    it('delivers open, messages in order, then close and completion on events$', async () => {
      const { server, url } = await start();
      const events = new Promise<WebSocketEvent[]>((resolve) => {
        server.connections$.subscribe((conn) => void record(conn.events$).then((r) => resolve(r.values)));
      });
      const ws = await wsClient(url);
      ws.send('one');
      ws.send(Buffer.from([1, 2, 3]));
      ws.send('three');
      ws.close(4000, 'bye');
      const values = await events;
      expect(values.map((e) => e.type)).toEqual(['open', 'message', 'message', 'message', 'close']);
      expect(values[1]).toMatchObject({ binary: false, data: 'one', wireSize: 3 });
      expect(values[2]).toMatchObject({ binary: true, data: new Uint8Array([1, 2, 3]) });
      expect(values[4]).toMatchObject({ code: 4000, reason: 'bye', remote: true, wasClean: true });
    });

    it('loses no event for a subscription made a while after the connection was emitted', async () => {
      const { server, url } = await start();
      const accepted = nextConnection(server);
      const ws = await wsClient(url);
      const conn = await accepted;
      for (let i = 0; i < 10; i++) ws.send(`m${i}`);
      ws.send('last');
      ws.close();
      // Wait until the server has read everything (the close too), without subscribing to events$.
      await once(ws, 'close');
      for (let i = 0; i < 100 && server.clients.has(conn); i++) await flushIo();
      expect(server.clients.has(conn)).toBe(false);
      const messages = await firstValueFrom(conn.messages$.pipe(toArray()));
      expect(messages.map((m) => m.data)).toEqual([...Array.from({ length: 10 }, (_, i) => `m${i}`), 'last']);
    });

    it('gives every subscriber the open event, and a late one the close event', async () => {
      const { server, url } = await start();
      const accepted = nextConnection(server);
      const ws = await wsClient(url);
      const conn = await accepted;
      const first = firstMatch(conn.events$, isOpen);
      expect((await first.value).socket).toBe(conn);
      const done = record(conn.events$);
      ws.close();
      await done;
      const late = await record(conn.events$);
      expect(late.values.map((e) => e.type)).toEqual(['open', 'close']);
      expect(late.completed).toBe(true);
      expect(server.clients.size).toBe(0);
    });

    it('delivers messages to events$ and messages$ subscribers alike, and completes both on close', async () => {
      const { server, url } = await start();
      const accepted = nextConnection(server);
      const ws = await wsClient(url);
      const conn = await accepted;
      const events = record(conn.events$);
      const messagesA = record(conn.messages$);
      const messagesB = record(conn.messages$);
      ws.send('a');
      ws.send('b');
      ws.close();
      const [e, a, b] = await Promise.all([events, messagesA, messagesB]);
      expect(e.values.map((v) => v.type)).toEqual(['open', 'message', 'message', 'close']);
      for (const m of [a, b]) {
        expect(m.values.map((v) => v.data)).toEqual(['a', 'b']);
        expect(m.completed).toBe(true);
      }
    });

    it('sends, pings and closes through the connection', async () => {
      const { server, url } = await start();
      const accepted = nextConnection(server);
      const ws = await wsClient(url);
      const conn = await accepted;
      const pinged = once(ws, 'ping');
      const got = once(ws, 'message');
      expect(conn.send('hello')).toBe(true);
      expect(String((await got)[0])).toBe('hello');
      expect(conn.ping('p')).toBe(true);
      expect(String((await pinged)[0])).toBe('p');
      const pong = firstValueFrom(conn.events$.pipe(filter((e) => e.type === 'pong')));
      await pong;
      const closing = closed(ws);
      conn.close(4001, 'done');
      expect(await closing).toEqual([4001, 'done']);
      expect(conn.send('late')).toBe(false);
    });

    it('works with rxws connect() as the client', async () => {
      const { server, url } = await start({ protocols: ['chat.v1'] });
      server.connections$.subscribe((conn) => conn.messages$.subscribe((m) => conn.send(`echo ${String(m.data)}`)));
      const events = await firstValueFrom(
        connect(url, { protocols: ['chat.v1'] }).pipe(
          filter((e) => {
            if (e.type === 'open') e.socket.send('hi');
            return e.type === 'open' || e.type === 'message';
          }),
          take(2),
          toArray(),
        ),
      );
      expect(events[0]).toMatchObject({ type: 'open', protocol: 'chat.v1' });
      expect(events[1]).toMatchObject({ type: 'message', data: 'echo hi' });
    });
  });

  describe('close()', () => {
    it('closes every connection with 1001, completes connections$ and releases the port', async () => {
      const { server, url, port } = await start();
      const conns: ServerConnection[] = [];
      const completed = record(server.connections$);
      server.connections$.subscribe((c) => conns.push(c));
      const a = await wsClient(url);
      const b = await wsClient(url);
      const closes = Promise.all([closed(a), closed(b)]);
      const serverCloses = Promise.all(conns.map((c) => record(c.events$)));
      await server.close();
      expect(await closes).toEqual([
        [1001, 'Server shutting down'],
        [1001, 'Server shutting down'],
      ]);
      const recs = await serverCloses;
      for (const r of recs) expect(r.values.at(-1)).toMatchObject({ type: 'close', code: 1001, remote: false });
      expect((await completed).completed).toBe(true);
      expect(server.clients.size).toBe(0);
      // The port is free again.
      const again = serve({ host: '127.0.0.1', port });
      await expect(again.listening).resolves.toEqual({ host: '127.0.0.1', port });
      await again.close();
    });

    it('is idempotent', async () => {
      const { server } = await start();
      const p = server.close();
      expect(server.close()).toBe(p);
      await p;
    });
  });
});
