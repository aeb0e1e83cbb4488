// rxws's CLI and IXWebSocket's `ws` tool on the wire, each as the other's peer: subprotocols,
// HEAD, binary bytes, piped output, --verify_none, deflate, the documented differences, and
// IXWebSocket's own command lines run with rxws in place of ws.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI_PATH, CliProcesses, requireBuiltCli } from '../cli/cli-process';
import { useTestCertificates } from '../helpers/certs';
import { IxProcesses, requireIxWs } from './ix-peer';

interface JsonEvent {
  event: string;
  data?: string;
  binary?: boolean;
  code?: number;
  reason?: string;
  protocol?: string;
  headers?: Record<string, string>;
}

const jsonLines = (stdout: string): JsonEvent[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonEvent);

describe('rxws and IXWebSocket ws on the wire', () => {
  const ix = new IxProcesses(requireIxWs());
  const procs = new CliProcesses();
  const certs = useTestCertificates();
  let dir: string;
  beforeAll(requireBuiltCli);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rxws-ix-'));
  });
  afterEach(async () => {
    await ix.killAll();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const ixUrl = async (args: string[], scheme = 'ws'): Promise<string> => `${scheme}://127.0.0.1:${(await ix.server(args)).port}`;

  /** IXWebSocket's `ws connect`: waits until it is connected, sends `lines`, and resolves with its output once each expected pattern appeared. */
  async function ixConnect(args: string[], lines: string[], expected: RegExp[]): Promise<string> {
    const client = ix.start(['connect', ...args]);
    await client.waitFor(/ws_connect: connected/);
    for (const line of lines) client.child.stdin.write(line + '\n');
    for (const pattern of expected) await client.waitFor(pattern);
    client.child.stdin.end();
    return (await client.result()).output;
  }

  describe('subprotocols', () => {
    it('rxws connect --subprotocol opens on IX echo_server, which answers none (protocol \'\'), and echoes', async () => {
      const url = await ixUrl(['echo_server']);
      const result = await procs.run(['connect', '-d', '--json', '--ping-interval', '0', '--subprotocol', 'chat.v1', url], 'hi\n');
      expect(result.stderr).toBe('');
      const events = jsonLines(result.stdout);
      expect(events[0]).toMatchObject({ event: 'open', protocol: '' });
      expect(events[1]).toMatchObject({ event: 'message', data: 'hi' });
    });

    it('IX connect --subprotocol is accepted by rxws echo-server without --subprotocol (no 400)', async () => {
      const { url } = await procs.server(['echo-server']);
      const output = await ixConnect([url, '--subprotocol', 'chat.v1'], ['hello'], [/ws_connect: received message: hello/]);
      expect(output).not.toMatch(/HTTP Status: 400/);
    });
  });

  describe('HEAD', () => {
    it('rxws curl -I against IX httpd (a body after the HEAD reply): status and headers, exit 0', async () => {
      writeFileSync(path.join(dir, 'index.html'), 'hello');
      const port = (await ix.server(['httpd'], { cwd: dir })).port;
      const result = await procs.run(['curl', '-I', `http://127.0.0.1:${port}/index.html`]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 5\r\n/i);
      expect(result.stdout).not.toMatch(/hello/);
    });

    it('IX curl -I against rxws httpd', async () => {
      writeFileSync(path.join(dir, 'index.html'), 'hello');
      const { url } = await procs.server(['httpd', '--dir', dir]);
      const result = await ix.start(['curl', '-I', `${url}/index.html`]).result();
      expect(result.output).toMatch(/Status: 200/);
    });
  });

  describe('binary mode', () => {
    it('rxws connect -b: IX echo_server echoes exactly the bytes sent (no UTF-8 decoding, \\r kept)', async () => {
      const url = await ixUrl(['echo_server']);
      const proc = procs.start(['connect', '-d', '-b', '--json', '--ping-interval', '0', url]);
      proc.child.stdin.end(Buffer.from([0xff, 0xfe, 0x0d, 0x41, 0x0a]));
      const result = await proc.result();
      const message = jsonLines(result.stdout).find((e) => e.event === 'message');
      expect(message?.binary).toBe(true);
      expect(Buffer.from(message?.data ?? '', 'base64').toString('hex')).toBe('fffe0d41');
    });

    it('IX connect -b: rxws echo-server echoes the binary message in its own mode', async () => {
      const { url } = await procs.server(['echo-server']);
      const output = await ixConnect([url, '-b'], ['bytes-as-they-are'], [/ws_connect: received message: bytes-as-they-are/]);
      expect(output).toMatch(/received message: bytes-as-they-are/);
    });
  });

  it('piped output: rxws connect --json against IX echo_server loses nothing when stdout is read late', async () => {
    const { proc: server, port } = await ix.server(['echo_server']);
    const url = `ws://127.0.0.1:${port}`;
    const line = '0'.repeat(1024 * 1024);
    const child = spawn(process.execPath, [CLI_PATH, 'connect', '-d', '--json', '--ping-interval', '0', url], { env: { ...process.env, NO_COLOR: '1' } });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdout.pause();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.stdin.end(line + '\n');
    // Nobody reads stdout until the server saw the session end, as in `… | (sleep 1; wc -c)`.
    await server.waitFor(/Closed connection/);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stdout.resume();
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    const events = jsonLines(output);
    expect(events.map((e) => e.event)).toEqual(['open', 'message', 'close', 'summary']);
    expect(events[1].data).toBe(line);
  });

  describe('--verify_none on servers: no client certificate asked for, even with --ca-file', () => {
    it('rxws echo-server --tls --ca-file --verify_none lets an IX client without a certificate in', async () => {
      const { server, ca } = certs();
      const { port } = await procs.server(['echo-server', '--tls', '--cert-file', server.certFile, '--key-file', server.keyFile, '--ca-file', ca.certFile, '--verify_none']);
      const output = await ixConnect([`wss://localhost:${port}`, '--ca-file', ca.certFile], ['secret'], [/ws_connect: received message: secret/]);
      expect(output).not.toMatch(/HTTP Status: 403/);
    });

    it('IX echo_server --tls --ca-file --verify_none lets rxws connect without a certificate', async () => {
      const { server, ca } = certs();
      const url = await ixUrl(['echo_server', '--tls', '--cert-file', server.certFile, '--key-file', server.keyFile, '--ca-file', ca.certFile, '--verify_none'], 'wss');
      const result = await procs.run(['connect', '-d', '--ping-interval', '0', '--ca-file', ca.certFile, url.replace('127.0.0.1', 'localhost')], 'secret\n');
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^message secret$/m);
    });
  });

  describe('per-message deflate on servers', () => {
    it('rxws echo-server --per-message-deflate accepts IX connect\'s deflate offer; without it, none', async () => {
      const on = await procs.server(['echo-server', '--per-message-deflate']);
      expect(await ixConnect([on.url], ['x'], [/received message: x/])).toMatch(/sec-websocket-extensions: permessage-deflate/i);
      const off = await procs.server(['echo-server']);
      expect(await ixConnect([off.url], ['x'], [/received message: x/])).not.toMatch(/sec-websocket-extensions: permessage-deflate/i);
    });

    it('rxws connect offers deflate and IX echo_server takes it unless -x', async () => {
      const result = await procs.run(['connect', '-d', '--json', '--ping-interval', '0', await ixUrl(['echo_server'])], 'x\n');
      expect(jsonLines(result.stdout)[0].headers?.['sec-websocket-extensions']).toMatch(/permessage-deflate/);
      const plain = await procs.run(['connect', '-d', '--json', '--ping-interval', '0', await ixUrl(['echo_server', '-x'])], 'x\n');
      expect(jsonLines(plain.stdout)[0].headers?.['sec-websocket-extensions']).toBeUndefined();
    });
  });

  describe('documented difference: --http_authorization_header', () => {
    it('rxws echo-server refuses before the upgrade with 401; IX connect sees the status', async () => {
      const { url } = await procs.server(['echo-server', '--http_authorization_header', 'Bearer good']);
      const client = ix.start(['connect', url, '-d']);
      await client.waitFor(/HTTP Status: 401/);
    });

    it('IX echo_server upgrades, then closes with 4001 Permission denied; rxws connect reports it', async () => {
      const url = await ixUrl(['echo_server', '--http_authorization_header', 'Bearer good']);
      const client = procs.start(['connect', '-d', '--ping-interval', '0', url]);
      await client.waitFor(/^close 4001 Permission denied \(by the peer\)$/m);
      client.end();
      expect((await client.result()).code).toBe(0);
    });
  });

  describe("IX's own command lines run with rxws in place of ws", () => {
    const servers: string[][] = [
      ['echo_server', '-q', '-g', '-6', '-x', '-p', '--host', '127.0.0.1', '--pidfile', 'PID'],
      ['push_server', '-q', '-6', '-x', '-p', '--send_msg', 'hi', '--host', '127.0.0.1'],
      ['broadcast_server', '--host', '127.0.0.1'],
      ['transfer', '--host', '127.0.0.1', '--pidfile', 'PID'],
      ['httpd', '--host', '127.0.0.1', '-L', '--redirect_url', 'http://127.0.0.1/x'],
      ['httpd', '-D'],
      ['proxy_server', '--remote_host', 'ws://127.0.0.1:9', '-v', '--config_path', 'MAP', '--pidfile', 'PID'],
    ];
    it.each(servers.map((args) => [args.join(' '), args] as const))('rxws %s', async (_line, args) => {
      writeFileSync(path.join(dir, 'map.txt'), 'echo.local:8008:ws://127.0.0.1:9\n');
      const pidfile = path.join(dir, 'ws.pid');
      const real = args.map((a) => (a === 'PID' ? pidfile : a === 'MAP' ? path.join(dir, 'map.txt') : a));
      const { proc } = await procs.server(real);
      expect(proc.stderr).toBe('');
      if (args.includes('--pidfile')) expect(readFileSync(pidfile, 'utf8')).toBe(String(proc.child.pid));
    });

    it('rxws connect -d -x -g --tls --pidfile --logfile --max_wait --ping_interval --subprotocol -H (the echo is logged to the file)', async () => {
      const url = await ixUrl(['echo_server']);
      const logfile = path.join(dir, 'ws.log');
      const args = ['connect', url, '-d', '-x', '-g', '--tls', '--pidfile', path.join(dir, 'pid'), '--logfile', logfile, '--max_wait', '100', '--ping_interval', '5', '--subprotocol', 'a', '-H', 'X-Test:1'];
      const result = await procs.run(args, 'logged\n');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(readFileSync(logfile, 'utf8')).toMatch(/^message logged$/m);
    });

    it('rxws ping --tls, autoroute -x --ping_interval --subprotocol --msg_count --tls, send/receive -x --tls --pidfile, curl --compress_request --tls', async () => {
      const echo = await ixUrl(['echo_server']);
      expect((await procs.run(['ping', echo, '--tls'], 'p\n')).stdout).toMatch(/^pong p$/m);
      const push = await ixUrl(['push_server', '--send_msg', 'm']);
      const autoroute = await procs.run(['autoroute', push, '-x', '--ping_interval', '1', '--subprotocol', 's', '--msg_count', '50', '--tls']);
      expect(autoroute.stdout).toMatch(/^done 50 messages/m);
      const relay = await ixUrl(['transfer']);
      const inbox = path.join(dir, 'in');
      const receiver = procs.start(['receive', relay, '--dir', inbox, '-x', '--tls', '--delay', '0', '--pidfile', path.join(dir, 'r.pid')]);
      await receiver.waitFor(/^ready /m);
      writeFileSync(path.join(dir, 'f.txt'), 'file');
      expect((await procs.run(['send', relay, path.join(dir, 'f.txt'), '-x', '--tls', '--pidfile', path.join(dir, 's.pid')])).code).toBe(0);
      expect((await receiver.result()).code).toBe(0);
      const debug = (await ix.server(['httpd', '-D'])).port;
      const curl = await procs.run(['curl', `http://127.0.0.1:${debug}/`, '--data-binary', 'zipped', '--compress_request', '--tls']);
      expect(curl.code).toBe(0);
    });

    it('rxws --logfile FILE connect … (the option before the command, as IXWebSocket takes it)', async () => {
      const url = await ixUrl(['echo_server']);
      const logfile = path.join(dir, 'ws.log');
      const result = await procs.run(['--logfile', logfile, 'connect', url, '-d', '--ping_interval', '0'], 'early\n');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      expect(readFileSync(logfile, 'utf8')).toMatch(/^message early$/m);
    });

    it('rxws dnslookup, gzip --run_count, gunzip', async () => {
      expect((await procs.run(['dnslookup', 'localhost'])).stdout).toMatch(/^address (127\.0\.0\.1|::1) /m);
      const file = path.join(dir, 'data.txt');
      writeFileSync(file, 'a'.repeat(10_000));
      const gz = await procs.run(['gzip', file, '--run_count', '3']);
      expect(gz.stdout).toMatch(/djb2 \d+\) -> .*data\.txt\.gz/);
      // IX's gunzip reads what rxws gzip wrote
      rmSync(file);
      await ix.start(['gunzip', `${file}.gz`]).result();
      expect(readFileSync(file, 'utf8')).toBe('a'.repeat(10_000));
      rmSync(file);
      expect((await procs.run(['gunzip', `${file}.gz`])).code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('a'.repeat(10_000));
    });
  });
});
