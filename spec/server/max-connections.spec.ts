// The default maxConnections: none, as ws (a Node server is bounded by its open files); IXWebSocket's 128 is one option away.
import type WebSocket from 'ws';
import { DEFAULT_MAX_CONNECTIONS, IXWEBSOCKET_MAX_CONNECTIONS, serve, ServeOptionsError } from 'rxws/server';
import { closeAll, start, wsClient } from './peers';

afterEach(closeAll);

/** Opens `n` clients, 20 at a time. */
async function openClients(url: string, n: number): Promise<WebSocket[]> {
  const all: WebSocket[] = [];
  for (let i = 0; i < n; i += 20) all.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => wsClient(url)))));
  return all;
}

describe('maxConnections', () => {
  it('has no limit by default, and IXWebSocket\'s is a named constant', () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(Infinity);
    expect(IXWEBSOCKET_MAX_CONNECTIONS).toBe(128);
  });

  it('accepts a 129th client by default', async () => {
    const { server, url } = await start();
    await openClients(url, 129);
    expect(server.clients.size).toBe(129);
  });

  it('refuses the 129th client with 503 under IXWEBSOCKET_MAX_CONNECTIONS', async () => {
    const { server, url } = await start({ maxConnections: IXWEBSOCKET_MAX_CONNECTIONS });
    await openClients(url, 128);
    await expect(wsClient(url)).rejects.toThrow('status 503');
    expect(server.clients.size).toBe(128);
  });

  it('takes Infinity or a whole number from 1', () => {
    expect(() => serve({ port: 0, maxConnections: 1.5 })).toThrow(ServeOptionsError);
    expect(() => serve({ port: 0, maxConnections: -Infinity })).toThrow('maxConnections must be an integer >= 1, got -Infinity');
  });

  it('Infinity is accepted as a value', async () => {
    const { server, url } = await start({ maxConnections: Infinity });
    await openClients(url, 2);
    expect(server.clients.size).toBe(2);
  });
});
