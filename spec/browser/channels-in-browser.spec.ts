// Channels in rxws's browser build (dist/browser) in Chromium against rxws's server: the token
// rides in a subprotocol and is replaced on the next try, a channel survives a server restart,
// and a refused channel errors with the reason.
import type { Browser, Page } from 'playwright-core';
import { channels, serve, staticFiles, tokenFromProtocols, type ChannelServer, type WebSocketServer } from 'rxws/server';
import { launchChromium } from './chromium';
import { buildPageRoot } from './page-root';

interface LogEntry {
  type: string;
  status?: string;
  retries?: number;
  nextTryInMs?: number;
  protocol?: string;
  channel?: string;
  value?: unknown;
  code?: string;
  message?: string;
  isMessageError?: boolean;
}
interface Page$ {
  log: LogEntry[];
  start(url: string, tokens: string[], reconnect?: { minWaitMs: number; maxWaitMs: number }): void;
  subscribe(name: string): void;
  stop(): void;
}
type W = { rxwsChannels: Page$; rxwsReady?: boolean };

jest.setTimeout(60_000);

describe('channels in the rxws browser build (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let pageRoot: ReturnType<typeof buildPageRoot>;
  let server: WebSocketServer | undefined;
  let hub: ChannelServer;
  const pageErrors: string[] = [];
  const tokensSeen: Array<string | undefined> = [];

  /** A server that accepts only the token 'fresh' (401 otherwise) and refuses channels under 'admin:'. */
  async function startServer(port = 0): Promise<number> {
    server = serve({
      host: '127.0.0.1',
      port,
      protocols: ['app.v1'],
      authorize: (request) => {
        if (!request.url.startsWith('/ws')) return true;
        const token = tokenFromProtocols(request);
        tokensSeen.push(token);
        return token === 'fresh' || { status: 401, reason: 'token expired' };
      },
      onRequest: staticFiles(pageRoot.root),
    });
    hub = channels(server, { authorize: (_conn, name) => !name.startsWith('admin:') || { reason: 'admins only' } });
    return (await server.listening).port;
  }

  beforeAll(async () => {
    pageRoot = buildPageRoot();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    // The browser logs each failed try itself ('WebSocket connection to … failed'): expected here.
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('WebSocket connection to') && pageErrors.push(m.text()));
  });
  afterEach(async () => {
    await page.evaluate(() => (window as unknown as W).rxwsChannels?.stop()).catch(() => undefined);
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    pageRoot?.remove();
  });

  /**
   * Waits until the page's log holds `n` entries whose fields equal `match`, then returns the log;
   * on timeout, fails with the log and the page's errors.
   */
  async function waitFor(what: string, match: Partial<LogEntry>, n = 1): Promise<LogEntry[]> {
    try {
      await page.waitForFunction(
        ([m, k]) => (window as unknown as W).rxwsChannels.log.filter((e) => Object.entries(m).every(([f, v]) => (e as unknown as Record<string, unknown>)[f] === v)).length >= k,
        [match, n] as const,
        { timeout: 15_000, polling: 20 },
      );
    } catch {
      const log = await page.evaluate(() => (window as unknown as W).rxwsChannels.log).catch(() => undefined);
      throw new Error(`Timed out waiting for ${what}. Page log: ${JSON.stringify(log)}. Page errors: ${pageErrors.join(' | ') || 'none'}`);
    }
    return page.evaluate(() => (window as unknown as W).rxwsChannels.log);
  }

  it('an expired token is replaced on the next try; a refused channel errors with the reason; a channel survives a restart', async () => {
    const port = await startServer();
    expect((await page.goto(`http://127.0.0.1:${port}/channels.html`))?.status()).toBe(200);
    await page.waitForFunction(() => (window as unknown as W).rxwsReady === true);
    await page.evaluate(([url]) => {
      const app = (window as unknown as W).rxwsChannels;
      app.start(url, ['expired', 'fresh']);
      app.subscribe('news');
      app.subscribe('admin:logs');
    }, [`ws://127.0.0.1:${port}/ws`]);

    // The first try is refused (401: a browser is not told the status), the second offers the fresh token and opens with app.v1.
    let log = await waitFor('subscription accepted', { type: 'subok' });
    const states = log.filter((e) => e.type === 'state');
    expect(states.slice(0, 3).map((e) => e.status)).toEqual(['closed', 'connecting', 'reconnecting']);
    expect(tokensSeen).toEqual(['expired', 'fresh']);
    expect(states.find((e) => e.status === 'open')?.protocol).toBe('app.v1');
    log = await waitFor('the refusal', { type: 'channel-error' });
    expect(log.find((e) => e.type === 'channel-error')).toEqual({
      type: 'channel-error', channel: 'admin:logs', code: 'CHANNEL_REFUSED', message: "Channel 'admin:logs' refused: admins only", isMessageError: true,
    });
    hub.publish('news', { n: 1 });
    await waitFor('the first publication', { type: 'value' });

    // Restart on the same port: the client reconnects (with the fresh token) and subscribes again.
    await server?.close();
    await waitFor('the drop', { type: 'state', status: 'reconnecting' }, 2);
    await startServer(port);
    await waitFor('the second subscription', { type: 'subok' }, 2);
    hub.publish('news', { n: 2 });
    log = await waitFor('the second publication', { type: 'value' }, 2);
    expect(log.filter((e) => e.type === 'value')).toEqual([
      { type: 'value', channel: 'news', value: { n: 1 } },
      { type: 'value', channel: 'news', value: { n: 2 } },
    ]);
    expect(log.filter((e) => e.type === 'subok').map((e) => e.channel)).toEqual(['news', 'news']);
    expect(tokensSeen).toEqual(['expired', 'fresh', 'fresh']);
    expect(pageErrors).toEqual([]);
  });

  it("the browser's online event ends a long backoff wait at once (the default network source)", async () => {
    const port = await startServer();
    await page.goto(`http://127.0.0.1:${port}/channels.html`);
    await page.waitForFunction(() => (window as unknown as W).rxwsReady === true);
    await server?.close(); // nothing listens: the first try fails, and the next waits a minute
    server = undefined;
    await page.evaluate(([url]) => (window as unknown as W).rxwsChannels.start(url, ['fresh'], { minWaitMs: 60_000, maxWaitMs: 60_000 }), [`ws://127.0.0.1:${port}/ws`]);
    await waitFor('the long wait', { status: 'reconnecting', nextTryInMs: 60_000 });
    await page.context().setOffline(true);
    await startServer(port);
    await page.context().setOffline(false); // 'online': try now, with the backoff reset
    const log = await waitFor('the open', { status: 'open' });
    expect(log.filter((e) => e.type === 'state').map((e) => e.status)).toEqual(['closed', 'connecting', 'reconnecting', 'reconnecting', 'open']);
  });
});
