import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { serve, type WebSocketServer } from 'rxws/server';
import { NotificationService, type ConnectionStatus } from '../../examples/angular-style-service';
import { main as authMain } from '../../examples/auth-server';
import { main as chatMain } from '../../examples/chat';
import { main as echoClient } from '../../examples/echo-client';
import { startEchoServer } from '../../examples/echo-server';
import { main as fileTransfer } from '../../examples/file-transfer';
import { main as httpProgress } from '../../examples/http-progress';

describe('examples', () => {
  let server: WebSocketServer | undefined;
  let web: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (web) await new Promise((resolve) => web?.close(resolve));
    web = undefined;
  });

  it('echo-server and echo-client: each word comes back', async () => {
    const serverLog: string[] = [];
    server = await startEchoServer(0, (line) => serverLog.push(line));
    const { port } = await server.listening;
    const log: string[] = [];
    expect(await echoClient(`ws://127.0.0.1:${port}`, (line) => log.push(line))).toEqual(['hello', 'reactive', 'world']);
    expect(log).toEqual(['echo: hello', 'echo: reactive', 'echo: world']);
    expect(serverLog[0]).toMatch(/^echo server listening on ws:\/\/127\.0\.0\.1:\d+$/);
    expect(serverLog[1]).toBe('client #1 connected from 127.0.0.1');
  });

  it('chat: two members hear each other through the relay', async () => {
    const log: string[] = [];
    await chatMain((line) => log.push(line));
    expect(log).toEqual(['bob sees alice: hi bob!', 'alice sees bob: hello alice']);
  });

  it('auth-server: a bad token is refused with 401, a good one gets the preferred subprotocol', async () => {
    const log: string[] = [];
    await authMain((line) => log.push(line));
    expect(log).toEqual(['refused: HTTP 401', 'accepted: welcome alice, you speak chat.v2']);
  });

  it('file-transfer: the server verifies the checksum', async () => {
    const log: string[] = [];
    expect(await fileTransfer(__filename, (line) => log.push(line))).toBe('ok');
    expect(log[0]).toMatch(/^server: examples\.spec\.ts \d+ bytes, checksum verified$/);
    expect(log[1]).toBe('client: server says ok');
  });

  it('http-progress: prints the status, progress steps and the size', async () => {
    const body = Buffer.alloc(256 * 1024, 'x');
    web = createServer((_req, res) => res.writeHead(200, { 'Content-Length': body.length }).end(body));
    web.listen(0, '127.0.0.1');
    await once(web, 'listening');
    const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/big`;
    const log: string[] = [];
    expect(await httpProgress(url, (line) => log.push(line))).toBe(body.length);
    expect(log[0]).toBe(`GET ${url}`);
    expect(log[1]).toBe('status 200');
    expect(log).toContain('downloaded 100%');
    expect(log[log.length - 1]).toBe(`done: ${body.length} bytes`);
  });

  it('angular-style service: status follows the connection and topics filter notifications', async () => {
    server = serve({ host: '127.0.0.1', port: 0 });
    server.connections$.subscribe((c) =>
      c.messages$.subscribe((m) => {
        const { subscribe } = JSON.parse(String(m.data)) as { subscribe: string };
        c.send(JSON.stringify({ topic: 'other', body: 'ignored' }));
        c.send(JSON.stringify({ topic: subscribe, body: `first ${subscribe} news` }));
      }),
    );
    const { port } = await server.listening;
    const service = new NotificationService(`ws://127.0.0.1:${port}`);
    const statuses: ConnectionStatus[] = [];
    service.status$.subscribe((s) => statuses.push(s));
    const news = firstValueFrom(service.topic('weather').pipe(take(1), toArray()));
    service.subscribeTo('weather'); // queued until connected
    service.connect();
    expect(await news).toEqual(['first weather news']);
    const disconnected = firstValueFrom(service.status$.pipe(filter((s) => s === 'disconnected')));
    service.disconnect();
    await disconnected;
    expect(statuses).toEqual(['disconnected', 'connecting', 'connected', 'disconnected']);
  });
});
