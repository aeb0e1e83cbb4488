import WebSocket from 'ws';
import type { ServerConnection, WebSocketServer } from 'rxws/server';
import { closeAll, inbox, received, start, wsClient } from '../server/peers';

afterEach(closeAll);

/** n clients with their server-side connections, in the same order. */
async function connect(server: WebSocketServer, url: string, n: number): Promise<{ ws: WebSocket[]; conns: ServerConnection[]; got: string[][] }> {
  const conns: ServerConnection[] = [];
  const sub = server.connections$.subscribe((c) => conns.push(c));
  const ws: WebSocket[] = [];
  for (let i = 0; i < n; i++) ws.push(await wsClient(url));
  sub.unsubscribe();
  return { ws, conns, got: ws.map(inbox) };
}

/** Broadcasts an end marker to everyone and waits for it, so every earlier broadcast has arrived. */
async function settle(server: WebSocketServer, ws: WebSocket[]): Promise<void> {
  const all = Promise.all(ws.map((w) => received(w, '.')));
  server.broadcast('.');
  await all;
}

const withoutMarkers = (got: string[]): string[] => got.filter((m) => m !== '.');

describe('topics', () => {
  it('a topic broadcast reaches only the members, and join/leave/topics track membership', async () => {
    const { server, url } = await start();
    const { ws, conns, got } = await connect(server, url, 3);
    expect(conns[0].join('red')).toBe(true);
    expect(conns[0].join('red')).toBe(false);
    expect(conns[1].join('red')).toBe(true);
    expect(conns[1].join('blue')).toBe(true);
    expect([...conns[1].topics]).toEqual(['red', 'blue']);
    expect(server.broadcast('to red', { topic: 'red' })).toBe(2);
    expect(conns[0].leave('red')).toBe(true);
    expect(conns[0].leave('red')).toBe(false);
    expect(server.broadcast('to red again', { topic: 'red' })).toBe(1);
    expect(server.broadcast('to nobody', { topic: 'green' })).toBe(0);
    await settle(server, ws);
    expect(got.map(withoutMarkers)).toEqual([['to red'], ['to red', 'to red again'], []]);
    expect(conns[0].topics.size).toBe(0);
  });

  it('a broadcast to several topics reaches each member once, framed once', async () => {
    const { server, url } = await start();
    const { ws, conns, got } = await connect(server, url, 4);
    conns[0].join('a');
    conns[1].join('a');
    conns[1].join('b');
    conns[2].join('b');
    conns[2].join('c');
    const { Sender } = WebSocket as unknown as { Sender: { frame: (...args: unknown[]) => unknown } };
    const frame = jest.spyOn(Sender, 'frame');
    try {
      expect(server.broadcast(new Uint8Array([1, 2]), { topic: ['a', 'b', 'c'] })).toBe(3);
      expect(frame).toHaveBeenCalledTimes(1);
    } finally {
      frame.mockRestore();
    }
    await settle(server, ws);
    expect(got.map(withoutMarkers)).toEqual([['0x0102'], ['0x0102'], ['0x0102'], []]);
  });

  it('except leaves out one connection, given as the connection or its id', async () => {
    const { server, url } = await start();
    const { ws, conns, got } = await connect(server, url, 3);
    for (const c of conns) c.join('chat');
    expect(server.broadcast('from 0', { topic: 'chat', except: conns[0] })).toBe(2);
    expect(server.broadcast('from 1', { except: conns[1].id })).toBe(2);
    await settle(server, ws);
    expect(got.map(withoutMarkers)).toEqual([['from 1'], ['from 0'], ['from 0', 'from 1']]);
  });

  it('a chat message is not echoed to its sender', async () => {
    const { server, url } = await start();
    server.connections$.subscribe((conn) => {
      conn.join('room');
      conn.messages$.subscribe((m) => server.broadcast(m.data, { topic: 'room', except: conn }));
    });
    const { ws, got } = await connect(server, url, 3);
    const heard = Promise.all([received(ws[1], 'hi'), received(ws[2], 'hi')]);
    ws[0].send('hi');
    await heard;
    await settle(server, ws);
    expect(got.map(withoutMarkers)).toEqual([[], ['hi'], ['hi']]);
  });

  it('idle connections carry no topic set; a closed connection leaves its topics and cannot join', async () => {
    const { server, url } = await start();
    const { ws, conns } = await connect(server, url, 3);
    expect(conns[0].topics).toBe(conns[1].topics); // the one shared empty set
    conns[2].join('x');
    expect(conns[2].topics).not.toBe(conns[0].topics);
    const gone = new Promise<void>((resolve) => conns[2].events$.subscribe({ complete: () => resolve() }));
    ws[2].close();
    await gone;
    expect(server.broadcast('x?', { topic: 'x' })).toBe(0);
    expect(conns[2].join('y')).toBe(false);
    expect(server.broadcast('y?', { topic: 'y' })).toBe(0);
  });

  it('keeps order with a connection\'s own send() across topic and plain broadcasts', async () => {
    const { server, url } = await start();
    const { ws, conns, got } = await connect(server, url, 1);
    conns[0].join('t');
    server.broadcast('b1', { topic: 't' });
    conns[0].send('s1');
    server.broadcast('b2');
    server.broadcast('b3', { topic: ['t', 'u'] });
    await settle(server, ws);
    expect(withoutMarkers(got[0])).toEqual(['b1', 's1', 'b2', 'b3']);
  });

  it('rejects a bad topic or bad options with a TypeError that says what to pass', async () => {
    const { server, url } = await start();
    const { conns } = await connect(server, url, 1);
    expect(() => conns[0].join('')).toThrow(/join\(\): a topic must be a non-empty string of at most 1024 characters/);
    expect(() => conns[0].join('x'.repeat(1025))).toThrow(TypeError);
    expect(() => server.broadcast('m', { topic: 42 as unknown as string })).toThrow(/topic must be a string or a list of strings/);
    expect(() => server.broadcast('m', { topic: ['ok', ''] })).toThrow(/a topic must be a non-empty string/);
    expect(() => server.broadcast('m', { except: 'me' as unknown as number })).toThrow(/except must be a connection or its id/);
    await expect(server.publish(42 as unknown as string)).rejects.toThrow(/publish\(\): data must be a string/);
  });
});
