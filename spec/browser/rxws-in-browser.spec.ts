// rxws's browser build (dist/browser) in Chromium, served by rxws's own static handler, running
// connect + keepAlive + reconnect against rxws's server.
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { staticFiles } from 'rxws/server';
import { startRxwsEchoServer, type RxwsEchoServer } from '../interop/rxws-server';
import { launchChromium } from './chromium';
import { buildPageRoot } from './page-root';
import { fnv1a, pattern } from './pattern';

/** What spec/browser/fixtures/app.mjs logs for each rxws event. */
interface LogEntry {
  type: string;
  protocol?: string;
  headerCount?: number;
  canPing?: boolean;
  binary?: boolean;
  data?: string;
  length?: number;
  fnv?: number;
  code?: number;
  reason?: string;
  remote?: boolean;
  retries?: number;
}
interface StartOptions {
  connectOptions?: { protocols?: string[] };
  keepAliveOptions: { intervalMs: number; timeoutMs?: number; heartbeat?: string };
  reconnectOptions?: { minWaitMs?: number; maxWaitMs?: number };
}
interface App {
  log: LogEntry[];
  start(url: string, options: StartOptions): void;
  sendText(text: string): boolean;
  sendPattern(length: number): number;
  stop(): void;
}
/** The page's window, for functions page.evaluate runs in the browser (they see no Node scope). */
type W = { rxwsTest: App; rxwsReady?: boolean };

const KEEP_ALIVE = { intervalMs: 150, heartbeat: 'hb' };
const RECONNECT = { minWaitMs: 20, maxWaitMs: 200 };

describe('rxws browser build in Chromium ↔ rxws server', () => {
  let browser: Browser;
  let page: Page;
  let server: RxwsEchoServer;
  let pageRoot: ReturnType<typeof buildPageRoot>;
  const pageErrors: string[] = [];

  const startServer = (port = 0) =>
    startRxwsEchoServer({ port, protocols: ['chat.v1', 'chat.v2'], onRequest: staticFiles(pageRoot.root) });

  beforeAll(async () => {
    pageRoot = buildPageRoot();
    [browser, server] = await Promise.all([launchChromium(), startServer()]);
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  });
  beforeEach(async () => {
    // A fresh page state per test, loaded from rxws's static handler.
    const response = await page.goto(`http://127.0.0.1:${server.port}/`);
    expect(response?.status()).toBe(200);
    await waitIn(() => (window as unknown as W).rxwsReady === true, undefined, 'the page to load rxws');
  });
  afterEach(async () => {
    await page.evaluate(() => (window as unknown as W).rxwsTest?.stop()).catch(() => undefined);
  });
  afterAll(async () => {
    // The restart test replaces `server`; a close that already happened must not fail the file.
    await Promise.all([browser?.close(), server?.close().catch(() => undefined)]);
    pageRoot?.remove();
  });

  /** Waits for `predicate(arg)` to hold in the page; on timeout, fails with the page's log and errors. */
  async function waitIn<A>(predicate: (arg: A) => boolean, arg: A, what: string, timeoutMs = 10_000): Promise<void> {
    try {
      // Plain JSON arguments only, so playwright's handle unboxing leaves `arg` as it is.
      await page.waitForFunction(predicate as (arg: unknown) => boolean, arg as unknown, { timeout: timeoutMs, polling: 20 });
    } catch {
      const log = await page.evaluate(() => (window as unknown as W).rxwsTest?.log).catch(() => undefined);
      throw new Error(`Timed out waiting for ${what}. Page log: ${JSON.stringify(log)}. Page errors: ${pageErrors.join(' | ') || 'none'}`);
    }
  }

  const log = (): Promise<LogEntry[]> => page.evaluate(() => (window as unknown as W).rxwsTest.log);
  const countOf = (type: string, n: number) =>
    waitIn(([t, k]: [string, number]) => (window as unknown as W).rxwsTest.log.filter((e) => e.type === t).length >= k, [type, n], `${n} '${type}' event(s)`);
  const textMessage = (data: string) =>
    waitIn((d) => (window as unknown as W).rxwsTest.log.some((e) => e.type === 'message' && e.data === d), data, `the message '${data}'`);
  const start = (path: string, options: StartOptions) =>
    page.evaluate(([u, o]) => (window as unknown as W).rxwsTest.start(u, o), [`ws://127.0.0.1:${server.port}${path}`, options] as const);

  it('loads from the static handler and opens with the browser transport (no headers, no ping frames)', async () => {
    await start('/open', { connectOptions: { protocols: ['x.unknown', 'chat.v2'] }, keepAliveOptions: KEEP_ALIVE, reconnectOptions: RECONNECT });
    await countOf('open', 1);
    expect((await log()).find((e) => e.type === 'open')).toEqual({ type: 'open', protocol: 'chat.v2', headerCount: 0, canPing: false });
    expect(pageErrors).toEqual([]);
  });

  it('messages go both ways: text and binary echo, and a server broadcast arrives', async () => {
    await start('/messages', { keepAliveOptions: KEEP_ALIVE, reconnectOptions: RECONNECT });
    await countOf('open', 1);
    expect(await page.evaluate(() => (window as unknown as W).rxwsTest.sendText('héllo from the browser ✓'))).toBe(true);
    await textMessage('héllo from the browser ✓');

    const length = 64 * 1024;
    const sentFnv = await page.evaluate((n) => (window as unknown as W).rxwsTest.sendPattern(n), length);
    expect(sentFnv).toBe(fnv1a(pattern(length)));
    const sha256 = createHash('sha256').update(pattern(length)).digest('hex');
    expect(await server.record('/messages', 'binary')).toMatchObject({ length, sha256 });
    await waitIn(() => (window as unknown as W).rxwsTest.log.some((e) => e.binary === true), undefined, 'the binary echo');
    expect((await log()).find((e) => e.binary === true)).toMatchObject({ length, fnv: sentFnv, wireSize: length });

    server.server.broadcast('news for everyone');
    await textMessage('news for everyone');
  });

  it('keepAlive sends its heartbeat message in the browser, where ping frames are impossible', async () => {
    await start('/heartbeat', { keepAliveOptions: KEEP_ALIVE, reconnectOptions: RECONNECT });
    // The echo server sends every heartbeat back: two echoed 'hb' prove two beats went out.
    await waitIn(() => (window as unknown as W).rxwsTest.log.filter((e) => e.data === 'hb').length >= 2, undefined, 'two echoed heartbeats');
    expect((await log()).filter((e) => e.type === 'close')).toEqual([]);
  });

  it('keepAlive closes a silent connection with 1011 and reconnect opens a new one', async () => {
    await start('/mute', { keepAliveOptions: { intervalMs: 100, timeoutMs: 100, heartbeat: 'hb' }, reconnectOptions: RECONNECT });
    await countOf('open', 2);
    const close = (await log()).find((e) => e.type === 'close');
    expect(close).toMatchObject({ code: 1011, remote: false });
    expect(close?.reason).toMatch(/ping|heartbeat|timeout/i);
  });

  it('reconnects after the server restarts on the same port, then messages flow again', async () => {
    await start('/restart', { keepAliveOptions: KEEP_ALIVE, reconnectOptions: RECONNECT });
    await countOf('open', 1);
    const port = server.port;
    await server.close();
    await countOf('close', 1);
    expect((await log()).find((e) => e.type === 'close')).toMatchObject({ code: 1001, remote: true });
    // While nothing listens, each try fails and reconnect reports it.
    await countOf('error', 1);
    server = await startServer(port);
    await countOf('open', 2);
    expect(await page.evaluate(() => (window as unknown as W).rxwsTest.sendText('after the restart'))).toBe(true);
    await textMessage('after the restart');
  });
});
