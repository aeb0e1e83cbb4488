import WebSocket from 'ws';
import { connect } from 'rxws';
import { serve, type WebSocketServer } from 'rxws/server';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';
import { extraResources, runPool, settledHeap, snapshot, waitFor } from './probe';

/** Heap growth that counts as noise: a leak of even 1 KiB per cycle would be ~10 MiB here. */
const HEAP_NOISE_BYTES = 4 * 1024 * 1024;
const CONCURRENCY = 20;

/** One rxws client connection: open, then unsubscribe (close 1000). */
function openAndClose(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscription = connect(url).subscribe({
      next: (e) => {
        if (e.type !== 'open') return;
        queueMicrotask(() => {
          subscription.unsubscribe();
          resolve();
        });
      },
      error: reject,
    });
  });
}

/** One plain `ws` client connection to a server under test: open, close, wait for the close. */
function wsOpenAndClose(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => ws.close(1000));
    ws.once('close', () => resolve());
    ws.once('error', reject);
  });
}

describe('no leaks', () => {
  let server: TestWsServer | undefined;
  let rxServer: WebSocketServer | undefined;
  afterEach(async () => {
    await server?.close();
    await rxServer?.close();
    server = rxServer = undefined;
  });

  it('10,000 connect/close cycles leave no extra handles, timers, listeners or heap', async () => {
    server = await startWsServer();
    const url = server.url;
    const wss = server.wss;
    await runPool(500, CONCURRENCY, () => openAndClose(url)); // warm up: JIT, pools, lazy modules
    await waitFor(() => wss.clients.size === 0);
    const before = snapshot();
    const heapBefore = settledHeap();
    await runPool(10_000, CONCURRENCY, () => openAndClose(url));
    // Closing handshakes finish after the last unsubscribe: wait for them, bounded.
    await waitFor(() => wss.clients.size === 0 && Object.keys(extraResources(before, snapshot())).length === 0);
    const after = snapshot();
    expect(extraResources(before, after)).toEqual({});
    expect(after.processListeners).toBe(before.processListeners);
    expect(settledHeap() - heapBefore).toBeLessThan(HEAP_NOISE_BYTES);
  }, 60_000);

  it('1000 server connections opened and closed leave no extra handles, timers, listeners, clients or heap', async () => {
    rxServer = serve({ port: 0, host: '127.0.0.1' });
    const { port } = await rxServer.listening;
    let messages = 0;
    rxServer.connections$.subscribe((c) => c.events$.subscribe((e) => e.type === 'message' && messages++));
    const url = `ws://127.0.0.1:${port}`;
    const server = rxServer;
    await runPool(100, CONCURRENCY, () => wsOpenAndClose(url));
    await waitFor(() => server.clients.size === 0);
    const before = snapshot();
    const heapBefore = settledHeap();
    await runPool(1000, CONCURRENCY, () => wsOpenAndClose(url));
    await waitFor(() => server.clients.size === 0 && Object.keys(extraResources(before, snapshot())).length === 0);
    const after = snapshot();
    expect(extraResources(before, after)).toEqual({});
    expect(after.processListeners).toBe(before.processListeners);
    expect(settledHeap() - heapBefore).toBeLessThan(HEAP_NOISE_BYTES);
    expect(messages).toBe(0);
  }, 60_000);
});
