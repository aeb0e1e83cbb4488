// Issue 15 item 19: `protocols: 'chat'` is one subprotocol (as in the WHATWG WebSocket
// constructor), not the letters c, h, a, t; anything but a string or a list is refused clearly.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { WebSocketServer } from 'ws';
import { connect, WebSocketClient, WebSocketError, type ConnectOptions, type WebSocketOpenEvent } from 'rxws';

describe('connect(): protocols as one string', () => {
  let server: WebSocketServer;
  let url: string;
  let offered: string[][];

  beforeEach(async () => {
    offered = [];
    server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: (protocols) => {
        offered.push([...protocols]);
        return protocols.values().next().value ?? false;
      },
    });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it("offers 'chat' as the one subprotocol chat", async () => {
    const open = (await firstValueFrom(connect(url, { protocols: 'chat' }))) as WebSocketOpenEvent;
    expect(open.type).toBe('open');
    expect(open.protocol).toBe('chat');
    expect(offered).toEqual([['chat']]);
  });

  it('does the same through WebSocketClient', async () => {
    const client = new WebSocketClient({ url, protocols: 'chat', reconnect: false });
    const opened = firstValueFrom(client.events$.pipe(filter((e): e is WebSocketOpenEvent => e.type === 'open')));
    client.start();
    try {
      expect((await opened).protocol).toBe('chat');
      expect(offered).toEqual([['chat']]);
    } finally {
      client.stop();
    }
  });

  it('refuses a value that is neither a string nor a list, and an invalid token, with INVALID_OPTIONS', async () => {
    for (const protocols of [42, { chat: true }, 'two words'] as unknown as Array<ConnectOptions['protocols']>) {
      const err = await lastValueFrom(connect(url, { protocols })).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(WebSocketError);
      expect((err as WebSocketError).code).toBe('INVALID_OPTIONS');
      expect((err as WebSocketError).reason).toMatch(/protocols must be a subprotocol name or a list|Invalid subprotocol "two words"/);
    }
    expect(offered).toEqual([]);
  });
});
