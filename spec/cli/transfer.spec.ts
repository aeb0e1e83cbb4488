import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawData, WebSocket } from 'ws';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';
import { CliProcesses, requireBuiltCli } from './cli-process';

/** A relay like `rxws transfer` that lets a test damage binary messages on their way. */
async function tamperingRelay(tamper: (data: Buffer, binaryIndex: number) => Buffer | undefined): Promise<TestWsServer> {
  const server = await startWsServer();
  let binaryIndex = 0;
  server.wss.on('connection', (ws: WebSocket) =>
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      let data: Buffer | undefined = raw as Buffer;
      if (isBinary) data = tamper(Buffer.from(data), binaryIndex++);
      if (!data) return;
      for (const other of server.wss.clients) if (other !== ws) other.send(data, { binary: isBinary });
    }),
  );
  return server;
}

describe('rxws send / receive / transfer', () => {
  const procs = new CliProcesses();
  let dir: string;
  let relay: TestWsServer | undefined;
  beforeAll(requireBuiltCli);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rxws-transfer-'));
  });
  afterEach(async () => {
    await procs.killAll();
    await relay?.close();
    relay = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function transferThrough(url: string, content: Buffer, name = 'payload.bin', sendArgs: string[] = ['--format', 'chunked']): Promise<{ send: { code: number | null; stdout: string; stderr: string }; receive: { code: number | null; stdout: string; stderr: string } }> {
    const source = path.join(dir, name);
    writeFileSync(source, content);
    const inbox = path.join(dir, 'inbox');
    const receiver = procs.start(['receive', url, '--dir', inbox]);
    await receiver.waitFor(/^ready /m);
    const send = await procs.run(['send', url, source, '--ack-timeout', '10', ...sendArgs]);
    return { send, receive: await receiver.result() };
  }

  it('moves a 5 MiB file through `transfer` byte-identical, and both sides exit 0', async () => {
    const { url } = await procs.server(['transfer']);
    const content = randomBytes(5 * 1024 * 1024);
    const { send, receive } = await transferThrough(url, content);
    expect(receive.code).toBe(0);
    expect(send.code).toBe(0);
    expect(send.stdout).toMatch(/acknowledged payload\.bin verified by the receiver/);
    expect(receive.stdout).toMatch(/received .*payload\.bin \(5242880 bytes, sha256 [0-9a-f]{64}\)/);
    const inbox = path.join(dir, 'inbox');
    expect(readdirSync(inbox)).toEqual(['payload.bin']);
    expect(readFileSync(path.join(inbox, 'payload.bin')).equals(content)).toBe(true);
  });

  it('rejects a corrupted file: both exit 1 with the reason, and no file is left behind', async () => {
    relay = await tamperingRelay((data, index) => {
      if (index === 3) data[data.length - 1] ^= 0xff; // one flipped byte in the 4th chunk
      return data;
    });
    const { send, receive } = await transferThrough(relay.url, randomBytes(512 * 1024));
    expect(receive.code).toBe(1);
    expect(receive.stderr).toMatch(/^rxws: payload\.bin: checksum mismatch: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\n$/);
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/^rxws: receiver rejected payload\.bin: checksum mismatch/);
    expect(readdirSync(path.join(dir, 'inbox'))).toEqual([]);
  });

  it('rejects a corrupted IXWebSocket PDU by its djb2 checksum: both exit 1, no file left', async () => {
    relay = await tamperingRelay((data, index) => {
      if (index !== 0) return data;
      const at = data.indexOf('content ') + 'content '.length + 10; // one hex digit of the content
      data[at] = data[at] === 0x30 ? 0x31 : 0x30;
      return data;
    });
    const { send, receive } = await transferThrough(relay.url, randomBytes(64 * 1024), 'payload.bin', ['--format', 'ix']);
    expect(receive.code).toBe(1);
    expect(receive.stderr).toMatch(/^rxws: payload\.bin: checksum mismatch: expected djb2 \d+, got \d+\n$/);
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/^rxws: receiver rejected payload\.bin: payload\.bin: checksum mismatch: expected djb2/);
    expect(readdirSync(path.join(dir, 'inbox'))).toEqual([]);
  });

  it('rejects a truncated file (a chunk lost) and leaves no partial file', async () => {
    relay = await tamperingRelay((data, index) => (index === 2 ? undefined : data));
    const { send, receive } = await transferThrough(relay.url, randomBytes(300 * 1024));
    expect(receive.code).toBe(1);
    expect(receive.stderr).toMatch(/^rxws: payload\.bin: chunk 3 arrived where chunk 2 was expected/);
    expect(send.code).toBe(1);
    expect(readdirSync(path.join(dir, 'inbox'))).toEqual([]);
  });

  it('a sender with no receiver gives up after --ack-timeout with one line', async () => {
    const { url } = await procs.server(['transfer']);
    const file = path.join(dir, 'lonely.txt');
    writeFileSync(file, 'nobody listens');
    const result = await procs.run(['send', url, file, '--ack-timeout', '0.5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('rxws: no receiver acknowledged lonely.txt within 0.5 s\n');
  });

  it('send of a missing file is a usage error (exit 2)', async () => {
    const result = await procs.run(['send', 'ws://127.0.0.1:9', path.join(dir, 'missing.bin')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`rxws: cannot send ${path.join(dir, 'missing.bin')}: no such file\n`);
  });
});
