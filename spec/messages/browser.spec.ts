// Requests and streamed replies from rxws's browser build in Chromium to serve() with handlers.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { finalize, interval, map, take } from 'rxjs';
import { json, msgpack } from 'rxws';
import { serve, staticFiles, type MessageServer } from 'rxws/server';
import { launchChromium } from '../browser/chromium';
import { buildPageRoot } from '../browser/page-root';

interface Outcome {
  values: unknown[];
  completed?: boolean;
  unsubscribed?: boolean;
  error?: { code: string; message: string; data?: unknown };
}
type W = { rxwsRequests: { run(url: string, codec: string, target: string, body: unknown, takeValues: number): Promise<Outcome> }; rxwsRequestsReady?: boolean };

describe('requests from the browser build in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let pageRoot: ReturnType<typeof buildPageRoot>;
  const servers: Array<MessageServer<unknown, unknown>> = [];
  const urls: Record<string, string> = {};
  let stops = 0;
  let resolveStopped: () => void = () => undefined;

  beforeAll(async () => {
    pageRoot = buildPageRoot();
    copyFileSync(path.join(__dirname, 'fixtures', 'requests.mjs'), path.join(pageRoot.root, 'requests.mjs'));
    const handlers = {
      add: (b: unknown) => (b as number[])[0] + (b as number[])[1],
      ticks: (n: unknown) => interval(5).pipe(take(Number(n)), map((i) => ({ i }))),
      forever: () => interval(5).pipe(finalize(() => (stops++, resolveStopped()))),
      pay: () => Promise.reject(Object.assign(new Error('Not enough funds'), { code: 'NO_FUNDS', data: { balance: 0 } })),
    };
    for (const [name, codec] of [['json', json()], ['msgpack', msgpack()]] as const) {
      const server = serve({ host: '127.0.0.1', port: 0, codec, messaging: { handlers }, onRequest: staticFiles(pageRoot.root) });
      servers.push(server);
      urls[name] = `127.0.0.1:${(await server.listening).port}`;
    }
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`http://${urls.json}/`);
    await page.addScriptTag({ type: 'module', url: '/requests.mjs' });
    await page.waitForFunction(() => (window as unknown as W).rxwsRequestsReady === true, undefined, { timeout: 10_000 });
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), ...servers.map((s) => s.close())]);
    pageRoot?.remove();
  });

  const run = (codec: string, target: string, body: unknown, takeValues = -1): Promise<Outcome> =>
    page.evaluate(([u, c, t, b, n]) => (window as unknown as W).rxwsRequests.run(u as string, c as string, t as string, b, n as number), [`ws://${urls[codec]}`, codec, target, body, takeValues] as const);

  it.each(['json', 'msgpack'])('%s: a one-value reply, and a streamed reply in order', async (codec) => {
    expect(await run(codec, 'add', [40, 2])).toEqual({ values: [42], completed: true });
    const ticks = await run(codec, 'ticks', 4);
    expect(ticks.completed).toBe(true);
    expect(ticks.values.map((v) => (v as { i: number }).i)).toEqual([0, 1, 2, 3]);
  });

  it("the server's error arrives with its code, message and data", async () => {
    expect(await run('json', 'pay', 1)).toEqual({ values: [], error: { code: 'NO_FUNDS', message: 'Not enough funds', data: { balance: 0 } } });
  });

  it('unsubscribing in the page stops the server Observable', async () => {
    const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
    const outcome = await run('json', 'forever', null, 3);
    expect(outcome).toEqual({ values: [0, 1, 2], unsubscribed: true });
    await stopped;
    expect(stops).toBe(1);
  });
});
