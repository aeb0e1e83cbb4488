import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CliProcesses, requireBuiltCli } from './cli-process';

/** A node:http server answering with what each test needs. */
async function httpServer(): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/moved') return void res.writeHead(302, { Location: '/echo' }).end();
      if (req.url === '/missing') return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('nope');
      if (req.url === '/gzip') {
        const zipped = req.headers['accept-encoding']?.includes('gzip');
        res.writeHead(200, zipped ? { 'Content-Encoding': 'gzip' } : {});
        return void res.end(zipped ? gzipSync('compressed hello') : 'plain hello');
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Test': 'yes' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ method: req.method, url: req.url, body, type: req.headers['content-type'] ?? '', auth: req.headers.authorization ?? '' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('rxws curl, httpd, gencert and error paths', () => {
  const procs = new CliProcesses();
  let dir: string;
  let web: { url: string; server: http.Server };
  beforeAll(requireBuiltCli);
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rxws-cli-'));
    web = await httpServer();
  });
  afterEach(async () => {
    await procs.killAll();
    web.server.closeAllConnections();
    await new Promise((resolve) => web.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('curl -X -H -d sends the method, the header and an urlencoded body', async () => {
    const result = await procs.run(['curl', '-X', 'PUT', '-H', 'Authorization: Bearer t', '-d', 'a=1', '-d', 'b=2', `${web.url}/echo`]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ method: 'PUT', url: '/echo', body: 'a=1&b=2', type: 'application/x-www-form-urlencoded', auth: 'Bearer t' });
  });

  it('curl -L follows a redirect; without it prints the 302 body', async () => {
    const followed = await procs.run(['curl', '-L', `${web.url}/moved`]);
    expect(JSON.parse(followed.stdout)).toMatchObject({ method: 'GET', url: '/echo' });
    const notFollowed = await procs.run(['curl', '-i', `${web.url}/moved`]);
    expect(notFollowed.stdout).toMatch(/^HTTP\/1\.1 302 Found\r\n/);
  });

  it('curl -o writes the body to a file; --compressed decodes gzip', async () => {
    const file = path.join(dir, 'out.txt');
    const saved = await procs.run(['curl', '--compressed', '-o', file, `${web.url}/gzip`]);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('compressed hello');
    const plain = await procs.run(['curl', `${web.url}/gzip`]);
    expect(plain.stdout).toBe('plain hello');
  });

  it('curl -I prints the status line and headers only', async () => {
    const result = await procs.run(['curl', '-I', `${web.url}/echo`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(result.stdout).toContain('x-test: yes\r\n');
    expect(result.stdout.endsWith('\r\n\r\n')).toBe(true);
  });

  it('curl -f exits 22 with one line on an HTTP error; without -f it prints the body and exits 0', async () => {
    const failed = await procs.run(['curl', '-f', `${web.url}/missing`]);
    expect(failed.code).toBe(22);
    expect(failed.stderr).toBe(`rxws: HTTP error 404 Not Found from ${web.url}/missing\n`);
    const lenient = await procs.run(['curl', `${web.url}/missing`]);
    expect(lenient).toMatchObject({ code: 0, stdout: 'nope' });
  });

  it('httpd serves a folder: / is index.html, a missing file is 404', async () => {
    writeFileSync(path.join(dir, 'index.html'), '<h1>home</h1>');
    writeFileSync(path.join(dir, 'data.json'), '{"x":1}');
    const { url } = await procs.server(['httpd', '--dir', dir]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await procs.run(['curl', url + '/'])).stdout).toBe('<h1>home</h1>');
    const json = await procs.run(['curl', '-i', url + '/data.json']);
    expect(json.stdout).toMatch(/content-type: application\/json/i);
    expect(json.stdout.endsWith('{"x":1}')).toBe(true);
    expect((await procs.run(['curl', '-f', url + '/nothing.txt'])).code).toBe(22);
  });

  it('gencert output is accepted by a wss echo-server and a client trusting the CA', async () => {
    const certs = path.join(dir, 'certs');
    const gen = await procs.run(['gencert', '--dir', certs], '', { timeoutMs: 30_000 });
    expect(gen.code).toBe(0);
    const at = (f: string): string => path.join(certs, f);
    const { url } = await procs.server(['echo-server', '--tls', '--cert-file', at('server.pem'), '--key-file', at('server-key.pem')]);
    expect(url).toMatch(/^wss:\/\//);
    const trusted = await procs.run(['connect', url, '-d', '--ping-interval', '0', '--ca-file', at('ca.pem')], 'secure\n');
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain('message secure');
    const untrusted = await procs.run(['connect', url, '-d']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^rxws: [^\n]*certificate[^\n]*\n$/i);
  }, 40_000);

  it.each([
    [['connect', 'not a url', '-d'], 2, /^rxws: .*url/i],
    [['connect', 'ws://127.0.0.1:9', '-d'], 1, /^rxws: Unable to connect to 127\.0\.0\.1 on port 9/],
    [['curl', 'http://127.0.0.1:9/'], 1, /^rxws: .*127\.0\.0\.1.*9/],
    [['curl', 'ftp://x/'], 2, /^rxws: /],
    [['echo-server', '--port', 'x'], 2, /^rxws: option .*--port.* argument 'x' is invalid/],
    [['echo-server', '--tls'], 2, /^rxws: a TLS server needs both --cert-file and --key-file/],
    [['connect', '--bogus'], 2, /^rxws: unknown option '--bogus'/],
    [['nonsense'], 2, /^rxws: unknown command 'nonsense'/],
  ])('rxws %j exits %i with one line on stderr', async (args, code, pattern) => {
    const result = await procs.run(args as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a server whose port is taken exits 1 with one line', async () => {
    const port = Number(new URL(web.url).port);
    const result = await procs.run(['echo-server', '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^rxws: .*${port}`));
  });

  it('every command has --help, and snake_case aliases work', async () => {
    for (const name of ['connect', 'chat', 'echo_server', 'push_server', 'broadcast_server', 'transfer', 'send', 'receive', 'ping', 'autoroute', 'curl', 'httpd', 'proxy_server', 'gencert']) {
      const result = await procs.run([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: rxws /);
      expect(result.stdout).toContain('--ca-file');
    }
  }, 30_000);
});
