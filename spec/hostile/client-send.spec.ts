// Issue 15 item 9: send() takes only what it can send (string, Uint8Array/Buffer, ArrayBuffer) and
// throws a clear TypeError for anything else at once, on every path: queued, open, or closed. Before,
// a queued { a: 1 } was taken (true) and the flush on open threw an uncaught TypeError.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import WebSocket, { WebSocketServer } from 'ws';
import { connect, WebSocketClient, type SendData, type WebSocketOpenEvent } from 'rxws';

const BAD: Array<[string, unknown]> = [
  ['an object', { a: 1 }],
  ['null', null],
  ['undefined', undefined],
  ['a number', 42],
  ['an empty object', {}],
  ['an Int16Array', new Int16Array(2)],
];
const REASON = /send\(\) takes a string, a Uint8Array \(or Buffer\) or an ArrayBuffer, got /;

describe('send(): bad data', () => {
  let server: WebSocketServer;
  let url: string;
  let received: string[];
  let clients: WebSocketClient[];

  beforeEach(async () => {
    received = [];
    clients = [];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (ws: WebSocket) => ws.on('message', (data: Buffer, binary: boolean) => received.push(binary ? `binary ${data.length}` : data.toString())));
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of clients) client.stop();
    for (const ws of server.clients) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  const waitForReceived = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && received.length < n; i++) await new Promise((resolve) => setImmediate(resolve));
    const deadline = Date.now() + 5000;
    while (received.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it.each(BAD)('WebSocketClient with a queue: send(%s) throws a TypeError before anything is queued', async (_name, bad) => {
    const client = new WebSocketClient({ url, queue: { maxMessages: 10 }, reconnect: false });
    clients.push(client);
    client.send('before');
    expect(() => client.send(bad as SendData)).toThrow(TypeError);
    expect(() => client.send(bad as SendData)).toThrow(REASON);
    expect(client.queuedMessages).toBe(1);
    client.send('after');
    const opened = firstValueFrom(client.events$.pipe(filter((e): e is WebSocketOpenEvent => e.type === 'open')));
    client.start();
    await opened;
    await waitForReceived(2);
    expect(received).toEqual(['before', 'after']);
  });

  it.each(BAD)('an open connection: socket.send(%s) and client.send throw a TypeError and send nothing', async (_name, bad) => {
    const client = new WebSocketClient({ url, reconnect: false });
    clients.push(client);
    const opened = firstValueFrom(client.events$.pipe(filter((e): e is WebSocketOpenEvent => e.type === 'open')));
    client.start();
    const { socket } = await opened;
    expect(() => client.send(bad as SendData)).toThrow(REASON);
    expect(() => socket.send(bad as SendData)).toThrow(REASON);
    // ping() without data is an empty ping: only a value given is checked.
    if (bad !== undefined) expect(() => socket.ping(bad as SendData)).toThrow(/ping\(\) takes a string/);
    socket.send('ok');
    await waitForReceived(1);
    expect(received).toEqual(['ok']);
  });

  it('says what to do with an object and with another typed array', async () => {
    const events = connect(url);
    const open = (await firstValueFrom(events.pipe(filter((e): e is WebSocketOpenEvent => e.type === 'open'))));
    try {
      expect(() => open.socket.send({ a: 1 } as unknown as SendData)).toThrow(/got an object \(Object\): serialize it first, e\.g\. JSON\.stringify\(value\)/);
      expect(() => open.socket.send(null as unknown as SendData)).toThrow(/got null/);
      expect(() => open.socket.send(new Float32Array(1) as unknown as SendData)).toThrow(/got a Float32Array: pass new Uint8Array\(view.buffer/);
    } finally {
      open.socket.close();
    }
  });

  it('a closed socket still refuses bad data (same rule whatever the state)', async () => {
    const open = await firstValueFrom(connect(url).pipe(filter((e): e is WebSocketOpenEvent => e.type === 'open')));
    open.socket.close();
    expect(open.socket.send('late')).toBe(false);
    expect(() => open.socket.send({ a: 1 } as unknown as SendData)).toThrow(REASON);
  });

  it('takes strings, Buffers, Uint8Arrays and ArrayBuffers', async () => {
    const client = new WebSocketClient({ url, reconnect: false });
    clients.push(client);
    const opened = firstValueFrom(client.events$.pipe(filter((e): e is WebSocketOpenEvent => e.type === 'open')));
    client.start();
    await opened;
    for (const data of ['text', Buffer.from('ab'), new Uint8Array(3), new ArrayBuffer(4)]) expect(client.send(data)).toBe(true);
    await waitForReceived(4);
    expect(received).toEqual(['text', 'binary 2', 'binary 3', 'binary 4']);
  });
});
