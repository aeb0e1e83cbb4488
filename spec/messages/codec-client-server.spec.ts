import { filter, firstValueFrom, Subject, take, toArray } from 'rxjs';
import { json, msgpack, WebSocketClient } from 'rxws';
import { serve, ServeOptionsError, type MessageServer } from 'rxws/server';

type Up = { say: string };
type Down = { heard: string; by: number };

describe('WebSocketClient and serve() with a codec (real sockets)', () => {
  let server: MessageServer<Up, Down> | undefined;
  let client: WebSocketClient<Down, Up> | undefined;
  afterEach(async () => {
    client?.stop();
    await server?.close();
    server = client = undefined;
  });

  it.each([['json', json], ['msgpack', msgpack]] as const)('%s: typed messages both ways, and a typed broadcast', async (_name, make) => {
    server = serve({ host: '127.0.0.1', port: 0, codec: make<Up, Down>() });
    server.connections$.subscribe((conn) => conn.messages$.subscribe((m) => conn.send({ heard: m.data.say, by: conn.id })));
    const { port } = await server.listening;
    client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, codec: make<Down, Up>() });
    const first = firstValueFrom(client.messages$);
    client.start();
    client.send({ say: 'hi' }); // no queue: refused while connecting
    await firstValueFrom(client.events$.pipe(filter((e) => e.type === 'open')));
    client.send({ say: 'hello' });
    const m = await first;
    const down: Down = m.data;
    expect(down).toEqual({ heard: 'hello', by: 1 });
    const next = firstValueFrom(client.messages$);
    expect(server.broadcast({ heard: 'everyone', by: 0 })).toBe(1);
    expect((await next).data).toEqual({ heard: 'everyone', by: 0 });
  });

  it('the server reports an undecodable client message as a decodeError event, and closes with 1007 when asked', async () => {
    server = serve({ host: '127.0.0.1', port: 0, codec: json<Up, Down>(), decodeErrors: 'close' });
    const seen = firstValueFrom(server.connections$);
    const { port } = await server.listening;
    const raw = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, reconnect: false });
    try {
      const opened = firstValueFrom(raw.events$.pipe(filter((e) => e.type === 'open')));
      raw.start();
      const conn = await seen;
      await opened;
      const errors = firstValueFrom(conn.events$.pipe(filter((e) => e.type === 'decodeError')));
      const closed = firstValueFrom(raw.events$.pipe(filter((e) => e.type === 'close')));
      expect(raw.send('{')).toBe(true);
      expect(await errors).toMatchObject({ error: { code: 'DECODE_FAILED', raw: '{' } });
      expect(await closed).toMatchObject({ code: 1007 });
    } finally {
      raw.stop();
    }
  });

  it('a queued value the codec cannot encode is reported on undelivered$ at open; the others are sent', async () => {
    server = serve({ host: '127.0.0.1', port: 0, codec: json<Up, Down>() });
    const said = new Subject<string>();
    server.connections$.subscribe((conn) => conn.messages$.subscribe((m) => said.next(m.data.say)));
    const firstTwo = firstValueFrom(said.pipe(take(2), toArray()));
    const { port } = await server.listening;
    client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, codec: json<Down, Up>(), queue: { maxMessages: 10 } });
    const undelivered = firstValueFrom(client.undelivered$);
    const circular: Up & { self?: unknown } = { say: 'loop' };
    circular.self = circular;
    client.send({ say: 'first' });
    client.send(circular);
    client.send({ say: 'last' });
    client.start();
    expect((await undelivered).reason).toMatch(/^Not sent: the codec could not encode it \(.*circular/i);
    expect(await firstTwo).toEqual(['first', 'last']);
  });

  it('refuses bad codec options before anything listens, saying what to pass', () => {
    expect(() => serve({ port: 0, codec: {} as never })).toThrow(ServeOptionsError);
    expect(() => serve({ port: 0, codec: {} as never })).toThrow(/codec must be an object with encode/);
    expect(() => serve({ port: 0, messaging: true } as never)).toThrow(/messaging needs a codec/);
    expect(() => serve({ port: 0, codec: json(), messaging: { maxInFlight: 0 } })).toThrow(/messaging.maxInFlight must be an integer >= 1/);
    expect(() => serve({ port: 0, codec: json(), messaging: { handlers: { x: 5 as never } } })).toThrow(/messaging.handlers.x must be a function/);
    expect(() => new WebSocketClient({ url: 'ws://x', messaging: true })).toThrow(/messaging needs a codec/);
  });
});

describe('request() without the message layer', () => {
  it('errors with a MessageError (INVALID_OPTIONS) saying which options to set', async () => {
    const client = new WebSocketClient({ url: 'ws://127.0.0.1:1', codec: json() });
    const failure = firstValueFrom(client.request('x'));
    await expect(failure).rejects.toThrow(/needs the message layer: create the WebSocketClient with codec: json\(\) \(or msgpack\(\)\) and messaging: true/);
    await expect(failure).rejects.toMatchObject({ name: 'MessageError', code: 'INVALID_OPTIONS' });
  });
});
