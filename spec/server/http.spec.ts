import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { of, throwError } from 'rxjs';
import { echoRequest, redirect, staticFiles, type HttpHandler } from 'rxws/server';
import { closeAll, rawExchange, start, wsClient } from './peers';

afterEach(closeAll);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(port: number, pathName: string, options: http.RequestOptions = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('plain HTTP on the WebSocket port', () => {
  it('answers 426 with a reason when there is no onRequest', async () => {
    const { port } = await start();
    const res = await request(port, '/');
    expect(res.status).toBe(426);
    expect(res.headers.upgrade).toBe('websocket');
    expect(res.body.toString()).toMatch(/WebSocket server/);
  });

  it.each<[string, HttpHandler]>([
    ['a value', (req) => ({ status: 201, headers: { 'X-Method': req.method }, body: `got ${Buffer.from(req.body).toString()}` })],
    ['a Promise', async (req) => ({ status: 201, headers: { 'X-Method': req.method }, body: `got ${Buffer.from(req.body).toString()}` })],
    ['an Observable', (req) => of({ status: 201, headers: { 'X-Method': req.method }, body: `got ${Buffer.from(req.body).toString()}` })],
  ])('answers with what onRequest returns as %s, and still upgrades WebSockets', async (_kind, onRequest) => {
    const { port, url } = await start({ onRequest });
    const res = await request(port, '/x', { method: 'POST' }, 'payload');
    expect(res.status).toBe(201);
    expect(res.headers['x-method']).toBe('POST');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body.toString()).toBe('got payload');
    expect((await wsClient(url)).readyState).toBe(1);
  });

  it.each<[string, HttpHandler]>([
    ['throws', () => { throw new Error('oops'); }],
    ['rejects', () => Promise.reject(new Error('oops'))],
    ['errors', () => throwError(() => new Error('oops'))],
    ['returns garbage', () => ({ status: 42 })],
  ])('answers 500 when the handler %s, reports it, and keeps serving', async (_kind, onRequest) => {
    const { port, server } = await start({ onRequest });
    const errors: unknown[] = [];
    server.errors$.subscribe((e) => errors.push(e));
    const res = await request(port, '/');
    expect(res.status).toBe(500);
    expect(res.body.toString()).toMatch(/handler failed/);
    expect(errors).toHaveLength(1);
    expect((await request(port, '/')).status).toBe(500);
  });

  it('answers 413 to a body over maxHttpBodyBytes', async () => {
    const { port } = await start({ onRequest: () => ({ status: 200 }), maxHttpBodyBytes: 10 });
    expect((await request(port, '/', { method: 'POST' }, 'x'.repeat(100))).status).toBe(413);
  });
});

describe('ready-made handlers', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    const base = mkdtempSync(path.join(tmpdir(), 'rxws-static-'));
    root = path.join(base, 'public');
    outside = path.join(base, 'secret.txt');
    mkdirSync(path.join(root, 'docs'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<h1>home</h1>');
    writeFileSync(path.join(root, 'app.js'), 'console.log(1);'.repeat(100));
    writeFileSync(path.join(root, 'data.bin'), Buffer.from([0, 1, 2]));
    writeFileSync(path.join(root, 'docs', 'index.html'), '<h1>docs</h1>');
    writeFileSync(path.join(root, 'a b.txt'), 'spaced');
    writeFileSync(outside, 'top secret');
    symlinkSync(outside, path.join(root, 'leak.txt'));
    symlinkSync(path.dirname(root), path.join(root, 'up'));
  });
  afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

  it('serves / as index.html, directories as their index, with Content-Type by extension', async () => {
    const { port } = await start({ onRequest: staticFiles(root) });
    const home = await request(port, '/');
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.body.toString()).toBe('<h1>home</h1>');
    expect((await request(port, '/docs/')).body.toString()).toBe('<h1>docs</h1>');
    const bin = await request(port, '/data.bin');
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    expect([...bin.body]).toEqual([0, 1, 2]);
    expect((await request(port, '/a%20b.txt?v=1')).body.toString()).toBe('spaced');
  });

  it('gzips compressible files when the client accepts gzip', async () => {
    const { port } = await start({ onRequest: staticFiles(root) });
    const zipped = await request(port, '/app.js', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(gunzipSync(zipped.body).toString()).toBe('console.log(1);'.repeat(100));
    const plain = await request(port, '/app.js', { headers: { 'Accept-Encoding': 'gzip;q=0' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('answers 404 to a missing file and 405 to other methods', async () => {
    const { port } = await start({ onRequest: staticFiles(root) });
    expect((await request(port, '/nope.html')).status).toBe(404);
    expect((await request(port, '/index.html', { method: 'DELETE' })).status).toBe(405);
  });

  it.each([
    '/../secret.txt',
    '/docs/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/docs%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/%00index.html',
    '/leak.txt',
    '/up/secret.txt',
  ])('refuses the traversal attempt %s with 403', async (attempt) => {
    const { port } = await start({ onRequest: staticFiles(root) });
    // Raw request: an HTTP client would normalize the path before sending it.
    const answer = await rawExchange(port, `GET ${attempt} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(answer).not.toContain('top secret');
  });

  it('redirects to a fixed location', async () => {
    const { port } = await start({ onRequest: redirect('https://example.com/') });
    const res = await request(port, '/anything');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://example.com/');
    expect(() => redirect('https://x/\r\nSet-Cookie: a=b')).toThrow(RangeError);
  });

  it('echoes the request for debugging', async () => {
    const { port } = await start({ onRequest: echoRequest() });
    const res = await request(port, '/dbg?q=1', { method: 'PUT', headers: { 'X-Test': 'yes' } }, 'hello');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toMatchObject({
      method: 'PUT',
      url: '/dbg?q=1',
      headers: { 'x-test': 'yes' },
      remoteAddress: '127.0.0.1',
      body: 'hello',
    });
  });
});
