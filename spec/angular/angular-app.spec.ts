// examples/angular built with its own toolchain, served by rxws's server (page and WebSocket on
// one port) and driven in headless Chromium: live messages, a server restart, the recovery. The
// page's news desk (a WebSocketClient: state$, a channel, a streamed request) talks to a second
// rxws server with the message layer, restarted at the same time.
import type { Browser, Page } from 'playwright-core';
import { interval, map, take, type Subscription } from 'rxjs';
import { json } from 'rxws';
import { channels, serve, staticFiles, type WebSocketServer } from 'rxws/server';
import { launchChromium } from '../browser/chromium';
import { buildAngularApp, testAngularApp } from './build-app';

const TICK_MS = 100;
const WAIT_MS = 20_000;
const VIEWPORT = { width: 800, height: 600 };

interface FeedServer {
  readonly server: WebSocketServer;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the page and, on /feed, sends `<generation> tick <n>` every TICK_MS to each connection. */
async function startFeedServer(root: string, generation: string, port = 0): Promise<FeedServer> {
  const server = serve({ host: '127.0.0.1', port, onRequest: staticFiles(root) });
  const ticks: Subscription[] = [];
  const accepted = server.connections$.subscribe((conn) => {
    if (conn.request.url !== '/feed') return conn.close(1008, 'only /feed');
    ticks.push(interval(TICK_MS).subscribe((n) => conn.send(`${generation} tick ${n}`)));
    ticks.push(conn.events$.subscribe()); // reads the page's heartbeats
  });
  const listening = await server.listening;
  return {
    server,
    port: listening.port,
    close: async () => {
      accepted.unsubscribe();
      for (const t of ticks) t.unsubscribe();
      await server.close();
    },
  };
}

interface DeskServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The news desk: JSON messages with the message layer; the `headlines` channel gets
 * `<generation> headline <n>` every TICK_MS, and `countdown` streams from, from - 1, …, 1.
 */
async function startDeskServer(generation: string, port = 0): Promise<DeskServer> {
  const server = serve({
    host: '127.0.0.1',
    port,
    codec: json(),
    messaging: {
      handlers: {
        countdown: (body) => {
          const { from } = body as { from: number };
          return interval(50).pipe(take(from), map((i) => from - i));
        },
      },
    },
  });
  const hub = channels(server);
  const headlines = interval(TICK_MS).subscribe((n) => hub.publish('headlines', { id: n, title: `${generation} headline ${n}` }));
  const listening = await server.listening;
  return {
    port: listening.port,
    close: async () => {
      headlines.unsubscribe();
      hub.close();
      await server.close();
    },
  };
}

/** Width and height from a PNG's IHDR chunk; throws when the bytes are not a PNG. */
function pngSize(png: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (png.length < 24 || !png.subarray(0, 8).equals(signature) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error(`not a PNG (${png.length} bytes)`);
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('examples/angular in Chromium against rxws', () => {
  let root: string;
  let browser: Browser | undefined;
  let page: Page;
  let feed: FeedServer | undefined;
  let desk: DeskServer | undefined;
  const pageErrors: string[] = [];

  const stateText = () => page.locator('#state').innerText();
  /** Waits until the status line `selector` has `data-status` `status` and a text matching `text`. */
  const waitForStatus = (selector: string, status: string, text: RegExp) =>
    page.waitForFunction(
      ([sel, s, source]) => {
        const el = document.querySelector(sel);
        return el?.getAttribute('data-status') === s && new RegExp(source).test(el.textContent ?? '');
      },
      [selector, status, text.source] as const,
      { timeout: WAIT_MS, polling: 20 },
    );
  const waitForState = (status: string, text: RegExp) => waitForStatus('#state', status, text);
  const waitForDesk = (status: string, text: RegExp) => waitForStatus('#desk-state', status, text);
  const waitForMessage = (prefix: string, list = '#messages') =>
    page.waitForFunction(([l, p]) => Array.from(document.querySelectorAll(`${l} li`)).some((li) => li.textContent?.startsWith(p)), [list, prefix] as const, {
      timeout: WAIT_MS,
      polling: 20,
    });

  beforeAll(async () => {
    root = await buildAngularApp();
    [browser, feed, desk] = await Promise.all([launchChromium(), startFeedServer(root, 'first'), startDeskServer('first')]);
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([browser?.close(), feed?.close().catch(() => undefined), desk?.close().catch(() => undefined)]);
  });

  it('shows live messages, the reconnect while the server restarts, then the recovery', async () => {
    if (!feed || !desk) throw new Error('no feed or desk server');
    await page.goto(`http://127.0.0.1:${feed.port}/?desk=${encodeURIComponent(`ws://127.0.0.1:${desk.port}/desk`)}`);
    await waitForState('open', /^open: ws:\/\/127\.0\.0\.1:\d+\/feed$/);
    await waitForMessage('first tick 2');
    await waitForDesk('open', /^open$/);
    await waitForMessage('first headline 2', '#headlines');
    await page.click('#countdown-start');
    await page.waitForFunction(() => document.querySelector('#countdown')?.textContent === '3 2 1 done', undefined, { timeout: WAIT_MS, polling: 20 });

    const port = feed.port;
    const deskPort = desk.port;
    await Promise.all([feed.close(), desk.close()]);
    feed = undefined;
    desk = undefined;
    // The server said 1001 going away; while nothing listens, each refused try counts up.
    await waitForState('reconnecting', /^reconnecting: retry (?:[2-9]|\d{2,}), next in \d+ ms/);
    await waitForDesk('reconnecting', /^reconnecting: retry (?:[2-9]|\d{2,}), next in \d+ ms \(.+\)$/);
    const shot = await page.screenshot({ type: 'png' });
    const textAtShot = await stateText();
    expect(pngSize(shot)).toEqual(VIEWPORT);
    expect(shot.length).toBeGreaterThan(1_000);
    expect(textAtShot).toMatch(/retry \d+/);
    expect(await page.locator('#messages li').first().innerText()).toMatch(/^first tick \d+$/);

    [feed, desk] = await Promise.all([startFeedServer(root, 'second', port), startDeskServer('second', deskPort)]);
    await waitForState('open', /^open: /);
    await waitForMessage('second tick 1');
    // Nothing in the page subscribes again: the client sends the channel's sub on the new connection.
    await waitForDesk('open', /^open$/);
    await waitForMessage('second headline 1', '#headlines');
    const after = await page.screenshot({ type: 'png' });
    expect(pngSize(after)).toEqual(VIEWPORT);
    expect(after.equals(shot)).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("passes the service's marble tests under Angular's own test runner", async () => {
    const output = await testAngularApp();
    expect(output).toMatch(/live-feed\.service\.spec\.ts/);
    expect(output).toMatch(/news-desk\.service\.spec\.ts/);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/failed/);
  }, 150_000);
});
