import { connect, json, msgpack, text, binary, type Codec, type TypedWebSocketEvent } from 'rxws';
import { firstValueFrom, filter, take, toArray, type Observable } from 'rxjs';
import { startEchoServer, startWsServer, type TestWsServer } from '../helpers/ws-server';

type Chat = { from: string; text: string };

describe('connect() with a codec (real sockets)', () => {
  let server: TestWsServer;
  afterEach(() => server.close());

  /** Sends `values` on open and collects the first `count` message/decodeError events. */
  function exchange<In, Out>(events$: Observable<TypedWebSocketEvent<In, Out>>, values: Out[], count: number) {
    return firstValueFrom(
      events$.pipe(
        filter((e) => {
          if (e.type === 'open') for (const v of values) e.socket.send(v);
          return e.type === 'message' || e.type === 'decodeError';
        }),
        take(count),
        toArray(),
      ),
    );
  }

  it('json: sends values as text frames and gives decoded data typed by the codec', async () => {
    server = await startEchoServer();
    const frames: Array<{ text: string; binary: boolean }> = [];
    server.wss.on('connection', (ws) => ws.on('message', (d, isBinary) => frames.push({ text: d.toString(), binary: isBinary })));
    const events = await exchange(connect<Chat, Chat>(server.url, { codec: json<Chat, Chat>() }), [{ from: 'a', text: 'hi' }], 1);
    const [m] = events;
    expect(m.type).toBe('message');
    if (m.type !== 'message') return;
    const chat: Chat = m.data;
    expect(chat).toEqual({ from: 'a', text: 'hi' });
    expect(m.raw).toBe('{"from":"a","text":"hi"}');
    expect(frames).toEqual([{ text: '{"from":"a","text":"hi"}', binary: false }]);
  });

  it('msgpack: binary frames both ways', async () => {
    server = await startEchoServer();
    const [m] = await exchange(connect(server.url, { codec: msgpack<{ n: number[] }>() }), [{ n: [1, 2, 3] }], 1);
    expect(m.type === 'message' && m.binary).toBe(true);
    expect(m.type === 'message' && m.data).toEqual({ n: [1, 2, 3] });
  });

  it('text and binary codecs, and a user codec', async () => {
    server = await startEchoServer();
    const [t] = await exchange(connect(server.url, { codec: text() }), ['plain'], 1);
    expect(t.type === 'message' && t.data).toBe('plain');
    const [b] = await exchange(connect(server.url, { codec: binary() }), [new Uint8Array([1, 2])], 1);
    expect(b.type === 'message' && b.data).toEqual(new Uint8Array([1, 2]));
    const upper: Codec<string, string> = { name: 'upper', encode: (s) => s.toUpperCase(), decode: (d) => String(d) };
    const [u] = await exchange(connect(server.url, { codec: upper }), ['shout'], 1);
    expect(u.type === 'message' && u.data).toBe('SHOUT');
  });

  it('reports an undecodable message as a decodeError event (raw data and cause) and goes on', async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => {
      ws.send('{not json');
      ws.send('{"ok":true}');
    });
    const events = await exchange(connect(server.url, { codec: json<{ ok: boolean }>() }), [], 2);
    expect(events[0].type).toBe('decodeError');
    if (events[0].type !== 'decodeError') return;
    expect(events[0].error.code).toBe('DECODE_FAILED');
    expect(events[0].error.raw).toBe('{not json');
    expect(events[0].error.cause).toBeInstanceOf(SyntaxError);
    expect(events[1].type === 'message' && events[1].data).toEqual({ ok: true });
  });

  it("with decodeErrors: 'close', closes with 1007 after reporting", async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.send(new Uint8Array([0xc1])));
    const events = await firstValueFrom(connect(server.url, { codec: msgpack(), decodeErrors: 'close' }).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['open', 'decodeError', 'close']);
    const close = events[2];
    expect(close.type === 'close' && close.code).toBe(1007);
  });

  it('refuses a codec without encode/decode with a clear INVALID_OPTIONS error', async () => {
    server = await startEchoServer();
    const bad = { name: 'x' } as unknown as Codec<string, string>;
    await expect(firstValueFrom(connect(server.url, { codec: bad }))).rejects.toMatchObject({ code: 'INVALID_OPTIONS', reason: expect.stringMatching(/codec must be an object with encode/) });
  });

  it('a value the codec cannot encode throws its error from send', async () => {
    server = await startEchoServer();
    const events$ = connect(server.url, { codec: json<unknown>() });
    const thrown = await firstValueFrom(
      events$.pipe(
        filter((e) => e.type === 'open'),
        take(1),
      ),
    ).then((e) => {
      try {
        e.type === 'open' && e.socket.send(undefined);
        return undefined;
      } catch (err) {
        return err;
      }
    });
    expect(String(thrown)).toMatch(/cannot be sent as JSON/);
  });
});
