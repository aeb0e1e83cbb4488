// docs/protocol.md from a peer that is not rxws: Python `websockets`, both ways.
import { firstValueFrom, interval, take } from 'rxjs';
import { json, MessageError, WebSocketClient } from 'rxws';
import { serve, type MessageServer } from 'rxws/server';
import { record } from '../helpers/observe';
import { PythonClient, PythonProcess, requirePythonWebsockets } from '../interop/python-peer';

type Json = Record<string, unknown>;

describe('the envelope with a Python websockets peer', () => {
  beforeAll(() => {
    requirePythonWebsockets();
  });

  describe('rxws client → Python server (spec/interop/peers/envelope_server.py)', () => {
    let python: PythonProcess;
    let client: WebSocketClient<unknown, unknown>;
    beforeAll(async () => {
      python = PythonProcess.spawn('envelope_server.py');
      const { port } = await python.event('listening');
      client = new WebSocketClient({ url: `ws://127.0.0.1:${String(port)}`, codec: json(), messaging: true });
      client.start();
    });
    afterAll(async () => {
      client?.stop();
      await python?.kill();
    });

    it('says hello with its session, then gets a one-value reply', async () => {
      expect(await record(client.request('add', { a: 40, b: 2 }))).toEqual({ values: [42], completed: true });
      expect((await python.event('hello')).session).toMatch(/^[A-Za-z0-9_-]{22}$/);
    });

    it('gets a streamed reply in order, then completion', async () => {
      expect(await record(client.request('count', 5))).toEqual({ values: [0, 1, 2, 3, 4], completed: true });
    });

    it("gets the server's error with its code, message and data", async () => {
      const { error } = await record(client.request('fail'));
      expect(error).toBeInstanceOf(MessageError);
      expect(error).toMatchObject({ code: 'NO_FUNDS', message: 'Not enough funds', data: { balance: 0 } });
    });

    it('unsubscribing sends cancel for that id', async () => {
      const subscription = client.request('hang').subscribe();
      const req = await python.take((l) => l.event === 'req' && l.target === 'hang', 'the hang request');
      subscription.unsubscribe();
      expect(await python.event('cancel')).toEqual({ event: 'cancel', id: req.id });
    });

    it('plain messages travel as msg envelopes', async () => {
      const reply = firstValueFrom(client.messages$);
      client.send({ hi: 1 });
      expect((await reply).data).toEqual({ echo: { hi: 1 } });
    });
  });

  describe('Python client (spec/interop/peers/ws_client.py) → rxws server', () => {
    let python: PythonClient;
    let server: MessageServer<unknown, unknown>;
    let url = '';
    beforeAll(async () => {
      server = serve({
        host: '127.0.0.1',
        port: 0,
        codec: json(),
        messaging: { handlers: { add: (b) => (b as { a: number; b: number }).a + (b as { a: number; b: number }).b, ticks: (n) => interval(1).pipe(take(n as number)) } },
      });
      [python] = await Promise.all([PythonClient.start(), server.listening]);
      url = `ws://127.0.0.1:${(await server.listening).port}`;
    });
    afterAll(async () => {
      await Promise.all([python?.kill(), server?.close()]);
    });

    async function exchange(conn: unknown, frames: Json[], replies: number): Promise<Json[]> {
      for (const f of frames) await python.request('send', { conn, text: JSON.stringify(f) });
      const got: Json[] = [];
      for (let i = 0; i < replies; i++) got.push(JSON.parse(String((await python.request('recv', { conn })).text)) as Json);
      return got;
    }

    it('hello → welcome, req → res, unknown target → err, garbage → err DECODE_FAILED', async () => {
      const { conn } = await python.request('connect', { url });
      const replies = await exchange(conn, [
        { k: 'hello', v: 1, session: 'python-session-1' },
        { k: 'req', id: 1, target: 'add', body: { a: 1, b: 2 } },
        { k: 'req', id: 2, target: 'nope' },
      ], 3);
      expect(replies).toEqual([
        { k: 'welcome', v: 1, session: 'python-session-1', maxInFlight: 256, dedupWindowMs: 60000, acks: true },
        { k: 'res', id: 1, body: 3 },
        { k: 'err', id: 2, code: 'UNKNOWN_TARGET', message: "No handler for target 'nope'; the server has: add, ticks" },
      ]);
      await python.request('send', { conn, text: 'not json' });
      const bad = JSON.parse(String((await python.request('recv', { conn })).text)) as Json;
      expect(bad).toMatchObject({ k: 'err', code: 'DECODE_FAILED' });
      expect(bad.id).toBeUndefined();
    });

    it('a streamed reply arrives as numbered next envelopes, then done', async () => {
      const { conn } = await python.request('connect', { url });
      expect(await exchange(conn, [{ k: 'req', id: 1, target: 'ticks', body: 3 }], 4)).toEqual([
        { k: 'next', id: 1, n: 0, body: 0 },
        { k: 'next', id: 1, n: 1, body: 1 },
        { k: 'next', id: 1, n: 2, body: 2 },
        { k: 'done', id: 1 },
      ]);
    });

    it('a re-sent request of the same session on a new connection is answered from the window, not run again', async () => {
      let runs = 0;
      const counted = serve({ host: '127.0.0.1', port: 0, codec: json(), messaging: { handlers: { once: () => ++runs } } });
      try {
        const curl = `ws://127.0.0.1:${(await counted.listening).port}`;
        const hello = { k: 'hello', v: 1, session: 'python-session-2' };
        const first = (await python.request('connect', { url: curl })).conn;
        expect(await exchange(first, [hello, { k: 'req', id: 7, target: 'once' }], 2)).toEqual([expect.objectContaining({ k: 'welcome' }), { k: 'res', id: 7, body: 1 }]);
        await python.request('close', { conn: first, code: 1000, reason: '' });
        const second = (await python.request('connect', { url: curl })).conn;
        expect(await exchange(second, [hello, { k: 'req', id: 7, target: 'once' }], 2)).toEqual([expect.objectContaining({ k: 'welcome' }), { k: 'res', id: 7, body: 1 }]);
        expect(runs).toBe(1);
      } finally {
        await counted.close();
      }
    });

    it('numbered msgs are acknowledged and taken once: a repeat on a new connection of the session is acked, not delivered', async () => {
      const bodies: unknown[] = [];
      const taker = serve({ host: '127.0.0.1', port: 0, codec: json(), messaging: true });
      taker.connections$.subscribe((c) => c.messages$.subscribe((m) => bodies.push(m.data)));
      try {
        const turl = `ws://127.0.0.1:${(await taker.listening).port}`;
        const hello = { k: 'hello', v: 1, session: 'python-session-4' };
        /** Sends `frames`, then reads replies until the ack of `id` (the acks of one turn are one). */
        const acksUntil = async (conn: unknown, frames: Json[], id: number): Promise<Json[]> => {
          for (const f of frames) await python.request('send', { conn, text: JSON.stringify(f) });
          const got: Json[] = [];
          while (got.length < 5 && !got.some((r) => r.k === 'ack' && r.id === id)) got.push(JSON.parse(String((await python.request('recv', { conn })).text)) as Json);
          return got;
        };
        const first = (await python.request('connect', { url: turl })).conn;
        const acked = await acksUntil(first, [hello, { k: 'msg', id: 1, body: 'a' }, { k: 'msg', id: 2, body: 'b' }], 2);
        expect(acked[0]).toMatchObject({ k: 'welcome', acks: true });
        expect(acked.slice(1).every((r) => r.k === 'ack')).toBe(true);
        await python.request('close', { conn: first, code: 1000, reason: '' });
        const second = (await python.request('connect', { url: turl })).conn;
        const again = await acksUntil(second, [hello, { k: 'msg', id: 2, body: 'b' }, { k: 'msg', id: 3, body: 'c' }], 3);
        expect(again[0]).toMatchObject({ k: 'welcome' });
        expect(again.slice(1).map((r) => r.k)).toEqual(again.slice(1).map(() => 'ack'));
        expect(again.at(-1)).toEqual({ k: 'ack', id: 3 });
        expect(bodies).toEqual(['a', 'b', 'c']);
      } finally {
        await taker.close();
      }
    });

    it('an unsupported version is refused with UNSUPPORTED_VERSION and close 1002', async () => {
      const { conn } = await python.request('connect', { url });
      expect(await exchange(conn, [{ k: 'hello', v: 2, session: 'python-session-3' }], 1)).toEqual([
        { k: 'err', code: 'UNSUPPORTED_VERSION', message: 'This server speaks protocol version 1, not 2', data: { supported: [1] } },
      ]);
      expect(await python.request('wait_closed', { conn })).toMatchObject({ code: 1002 });
    });
  });
});
