// Chromium's own WebSocket against rxws's server.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startRxwsEchoServer, type RxwsEchoServer } from '../interop/rxws-server';
import { launchChromium } from './chromium';
import { fnv1a, pattern } from './pattern';

const HARNESS = readFileSync(path.join(__dirname, 'fixtures', 'native-harness.js'), 'utf8');
const MIB = 1024 * 1024;

interface OpenResult {
  opened: boolean;
  protocol?: string;
  extensions?: string;
  close?: { code: number; reason: string; wasClean: boolean };
}
interface Received {
  binary: boolean;
  data?: string;
  length?: number;
  fnv?: number;
}
interface Closed {
  code: number;
  reason: string;
  wasClean: boolean;
}
interface Harness {
  open(url: string, protocols: string[]): Promise<OpenResult>;
  sendText(text: string): void;
  sendPattern(length: number): void;
  nextMessage(): Promise<Received>;
  close(code: number, reason: string): Promise<Closed>;
  closed(): Promise<Closed>;
}
/** The page's window (inside page.evaluate, whose functions run in the browser and see no Node scope). */
type W = { nativeWs: Harness };

describe("Chromium's WebSocket ↔ rxws server", () => {
  let browser: Browser;
  let server: RxwsEchoServer;
  let page: Page;
  let url = '';
  let serial = 0;
  let path_ = '';

  beforeAll(async () => {
    [browser, server] = await Promise.all([
      launchChromium(),
      startRxwsEchoServer({ protocols: ['chat.v1', 'chat.v2'], maxPayload: 16 * MIB }),
    ]);
    page = await browser.newPage();
  });
  beforeEach(async () => {
    path_ = `/conn-${++serial}`;
    url = server.url + path_;
    // A fresh harness per test: no socket or queued message carries over.
    await page.evaluate(HARNESS);
  });
  afterEach(async () => {
    await page.evaluate(() => (window as unknown as W).nativeWs.close(1000, '').catch(() => undefined)).catch(() => undefined);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
  });

  const open = (protocols: string[] = []) => page.evaluate(([u, p]) => (window as unknown as W).nativeWs.open(u, p), [url, protocols] as const);

  it('subprotocol: the browser gets the protocol rxws chose among those it offered', async () => {
    expect(await open(['x.unknown', 'chat.v2'])).toMatchObject({ opened: true, protocol: 'chat.v2' });
    expect(await server.record(path_, 'connection')).toMatchObject({ protocol: 'chat.v2' });
  });

  it('subprotocol: none in common is refused, and the browser never opens', async () => {
    expect(await open(['x.unknown'])).toMatchObject({ opened: false, close: { code: 1006, wasClean: false } });
  });

  it('text: messages go both ways', async () => {
    await open();
    await page.evaluate(() => (window as unknown as W).nativeWs.sendText('héllo from Chromium ✓'));
    expect(await page.evaluate(() => (window as unknown as W).nativeWs.nextMessage())).toEqual({ binary: false, data: 'héllo from Chromium ✓' });
  });

  it('binary: a 1 MiB ArrayBuffer reaches rxws intact and comes back as the same bytes', async () => {
    await open();
    await page.evaluate((n) => (window as unknown as W).nativeWs.sendPattern(n), MIB);
    const bytes = pattern(MIB);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(await server.record(path_, 'binary')).toMatchObject({ length: MIB, sha256 });
    expect(await page.evaluate(() => (window as unknown as W).nativeWs.nextMessage())).toEqual({ binary: true, length: MIB, fnv: fnv1a(bytes) });
  });

  it('close from the browser: rxws reports code 4001 and the reason', async () => {
    await open();
    const closed = await page.evaluate(() => (window as unknown as W).nativeWs.close(4001, 'browser says bye ✓'));
    expect(closed).toMatchObject({ code: 4001, reason: 'browser says bye ✓', wasClean: true });
    expect(await server.record(path_, 'closed')).toMatchObject({ code: 4001, reason: 'browser says bye ✓' });
  });

  it('close from rxws: the browser receives code 4002 and the reason, cleanly', async () => {
    await open();
    await page.evaluate(() => (window as unknown as W).nativeWs.sendText('cmd:close 4002 server says bye'));
    expect(await page.evaluate(() => (window as unknown as W).nativeWs.closed())).toEqual({ code: 4002, reason: 'server says bye', wasClean: true });
  });

  it('per-message deflate: negotiated with Chromium when rxws enables it, and messages round-trip', async () => {
    const deflating = await startRxwsEchoServer({ perMessageDeflate: true });
    try {
      expect(await page.evaluate((u) => (window as unknown as W).nativeWs.open(u, []), deflating.url)).toMatchObject({
        opened: true,
        extensions: expect.stringMatching(/^permessage-deflate/),
      });
      const text = 'compress me '.repeat(50_000);
      await page.evaluate((t) => (window as unknown as W).nativeWs.sendText(t), text);
      expect(await page.evaluate(() => (window as unknown as W).nativeWs.nextMessage())).toEqual({ binary: false, data: text });
    } finally {
      await deflating.close();
    }
  });

  it('per-message deflate: not used when rxws does not enable it (the default)', async () => {
    expect(await open()).toMatchObject({ opened: true, extensions: '' });
  });

  it('server.close(): the browser receives 1001 (going away)', async () => {
    const own = await startRxwsEchoServer();
    try {
      expect(await page.evaluate((u) => (window as unknown as W).nativeWs.open(u, []), own.url)).toMatchObject({ opened: true });
      await own.close();
      expect(await page.evaluate(() => (window as unknown as W).nativeWs.closed())).toMatchObject({ code: 1001, wasClean: true });
    } finally {
      await own.close().catch(() => undefined);
    }
  });
});
