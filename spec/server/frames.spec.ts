import { once } from 'node:events';
import { filter, firstValueFrom } from 'rxjs';
import type { WebSocketCloseEvent, WebSocketEvent } from 'rxws';
import { record } from '../helpers/observe';
import { clientFrame, closeAll, closed, nextConnection, rawWebSocket, start, wsClient } from './peers';

afterEach(closeAll);

const isClose = (e: WebSocketEvent): e is WebSocketCloseEvent => e.type === 'close';

/** The close code in the server's close frame (RFC 6455 §5.5.1), found after the 101 response. */
async function serverCloseCode(raw: Awaited<ReturnType<typeof rawWebSocket>>): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const bytes = raw.received();
    const body = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
    const at = body.indexOf(0x88);
    if (at >= 0 && body.length >= at + 4) return body.readUInt16BE(at + 2);
    await once(raw.socket, 'data');
  }
  throw new Error('no close frame');
}

describe('message-level errors close only the offending connection', () => {
  it('closes an oversized message with 1009 and reports it on the server', async () => {
    const { server, url } = await start({ maxPayload: 1024 });
    const accepted = nextConnection(server);
    const ws = await wsClient(url);
    const conn = await accepted;
    const serverClose = firstValueFrom(conn.events$.pipe(filter(isClose)));
    const clientClose = closed(ws);
    ws.send(Buffer.alloc(2048));
    expect((await clientClose)[0]).toBe(1009);
    expect(await serverClose).toMatchObject({ code: 1009, remote: false });
    // Messages at the limit still pass on a fresh connection.
    const next = nextConnection(server);
    const ok = await wsClient(url);
    const got = firstValueFrom((await next).messages$);
    ok.send(Buffer.alloc(1024));
    expect((await got).wireSize).toBe(1024);
  });

  it('closes invalid UTF-8 text with 1007 and keeps serving others', async () => {
    const { server, port, url } = await start();
    const accepted = nextConnection(server);
    const raw = await rawWebSocket(port);
    const conn = await accepted;
    const events = record(conn.events$);
    raw.socket.write(clientFrame(0x1, Buffer.from([0xc3, 0x28])));
    expect(await serverCloseCode(raw)).toBe(1007);
    expect((await events).values.at(-1)).toMatchObject({ type: 'close', code: 1007 });
    expect((await wsClient(url)).readyState).toBe(1);
  });

  it.each([
    ['an unmasked client frame', Buffer.from([0x81, 0x02, 0x68, 0x69])],
    ['a reserved opcode', clientFrame(0x3, Buffer.from('x'))],
    ['a fragmented ping', clientFrame(0x9, Buffer.from('x'), false)],
    ['a continuation without a start', clientFrame(0x0, Buffer.from('x'))],
  ])('closes %s with 1002 and keeps serving others', async (_name, frame) => {
    const { server, port, url } = await start();
    const accepted = nextConnection(server);
    const raw = await rawWebSocket(port);
    const conn = await accepted;
    const events = record(conn.events$);
    raw.socket.write(frame);
    expect(await serverCloseCode(raw)).toBe(1002);
    expect((await events).values.at(-1)).toMatchObject({ type: 'close', code: 1002 });
    expect((await wsClient(url)).readyState).toBe(1);
  });
});

describe('ping keep-alive', () => {
  it('pings each connection every pingIntervalMs while it answers', async () => {
    const { url } = await start({ pingIntervalMs: 30 });
    const ws = await wsClient(url);
    for (let i = 0; i < 3; i++) await once(ws, 'ping');
    expect(ws.readyState).toBe(1);
  });

  it('closes a connection that does not answer with 1011 "Ping timeout"', async () => {
    const { server, url } = await start({ pingIntervalMs: 30, closeTimeoutMs: 50 });
    const accepted = nextConnection(server);
    await wsClient(url, undefined, { autoPong: false });
    const conn = await accepted;
    const close = await firstValueFrom(conn.events$.pipe(filter(isClose)));
    expect(close).toMatchObject({ code: 1011, reason: 'Ping timeout', remote: false });
  });
});
