// Issue 15 item 10: staticFiles keeps dotfiles private, answers HEAD without reading, streams files.
import { mkdirSync, mkdtempSync, openSync, closeSync, ftruncateSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { staticFiles } from 'rxws/server';
import { closeAll, start } from '../server/peers';
import { ServerProcess } from './server-process';

const MiB = 1024 * 1024;
const LARGE_BYTES = 64 * MiB;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  text: string;
}

function request(port: number, pathName: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, method, agent: false }, (res) => {
      let bytes = 0;
      let text = '';
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (text.length < 100) text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

let base: string;
let root: string;
beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'rxws-hostile-static-'));
  root = path.join(base, 'public');
  mkdirSync(path.join(root, '.git'), { recursive: true });
  mkdirSync(path.join(root, 'docs'));
  writeFileSync(path.join(root, 'index.html'), '<h1>hi</h1>');
  writeFileSync(path.join(root, '.env'), 'SECRET=1');
  writeFileSync(path.join(root, '.git', 'config'), '[core]');
  writeFileSync(path.join(root, 'docs', '.notes'), 'private');
  symlinkSync(path.join(root, '.env'), path.join(root, 'env.txt'));
  // Sparse: 64 MiB on disk costs nothing, reading it whole costs 64 MiB of memory.
  const fd = openSync(path.join(root, 'large.bin'), 'w');
  ftruncateSync(fd, LARGE_BYTES);
  closeSync(fd);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

let child: ServerProcess | undefined;
afterEach(async () => {
  await closeAll();
  await child?.stop();
  child = undefined;
});

describe('staticFiles and dotfiles (issue 15, item 10)', () => {
  it.each(['/.env', '/.git/config', '/docs/.notes', '/%2egit/config', '/env.txt'])('answers 404 to %s by default', async (p) => {
    const { port } = await start({ onRequest: staticFiles(root) });
    const res = await request(port, p);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('SECRET');
  });

  it('serves dotfiles with allowDotfiles', async () => {
    const { port } = await start({ onRequest: staticFiles(root, { allowDotfiles: true }) });
    expect((await request(port, '/.env')).text).toBe('SECRET=1');
    expect((await request(port, '/env.txt')).text).toBe('SECRET=1');
    expect((await request(port, '/.git/config')).status).toBe(200);
  });
});

describe('staticFiles and large files (issue 15, item 10)', () => {
  it('answers HEAD with the length and no body', async () => {
    const { port } = await start({ onRequest: staticFiles(root) });
    const res = await request(port, '/large.bin', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(LARGE_BYTES));
    expect(res.bytes).toBe(0);
    const small = await request(port, '/index.html', 'HEAD');
    expect(small.headers['content-length']).toBe('11');
  });

  it('6 HEADs and 6 GETs of a 64 MiB file at once leave the server memory flat (RSS in a child process)', async () => {
    child = await ServerProcess.start({ options: {}, staticRoot: root });
    const before = await child.memory();
    const heads = await Promise.all(Array.from({ length: 6 }, () => request(child!.port, '/large.bin', 'HEAD')));
    const afterHeads = await child.memory();
    const gets = await Promise.all(Array.from({ length: 6 }, () => request(child!.port, '/large.bin')));
    const afterGets = await child.memory();
    // Before: HEAD read the file whole, GET too (6 x 64 MiB each time). Streaming GETs peak
    // where V8 collects the short-lived chunks (its external-memory threshold), not at the file size.
    expect(afterHeads.maxRss - before.maxRss).toBeLessThan(16 * MiB);
    expect(afterGets.maxRss - before.maxRss).toBeLessThan(96 * MiB);
    expect(heads.map((r) => [r.status, r.bytes])).toEqual(Array(6).fill([200, 0]));
    expect(gets.map((r) => [r.status, r.bytes])).toEqual(Array(6).fill([200, LARGE_BYTES]));
  }, 60_000);
});

describe('streamed onRequest bodies', () => {
  it('sends an async iterable body chunked, as it comes', async () => {
    async function* parts(): AsyncGenerator<Uint8Array> {
      for (const p of ['one ', 'two ', 'three']) yield Buffer.from(p);
    }
    const { port } = await start({ onRequest: () => ({ status: 200, body: parts() }) });
    const res = await request(port, '/');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text).toBe('one two three');
  });
});
