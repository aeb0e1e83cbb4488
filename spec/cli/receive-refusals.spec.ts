// `rxws receive` against hostile or unlucky senders: never overwrite, never crash, nothing partial left.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawData, WebSocket } from 'ws';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';
import { CliProcesses, requireBuiltCli } from './cli-process';

const sha256Of = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const hexId = (n: number): string => n.toString(16).padStart(32, '0');
const header = (id: string, name: string, content: Buffer): string =>
  JSON.stringify({ kind: 'file', id, name, size: content.length, sha256: sha256Of(content), chunkSize: 65536 });

/** The receiver's replies, as text (JSON acks) or PDU text. */
function replies(ws: WebSocket): string[] {
  const all: string[] = [];
  ws.on('message', (data: RawData) => all.push(String(data)));
  return all;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 2000 && Date.now() < deadline; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('rxws receive refuses what it must not write', () => {
  const procs = new CliProcesses();
  let dir: string;
  let inbox: string;
  let server: TestWsServer | undefined;
  beforeAll(requireBuiltCli);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rxws-refusals-'));
    inbox = path.join(dir, 'inbox');
    mkdirSync(inbox);
  });
  afterEach(async () => {
    await procs.killAll();
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A transfer through `rxws transfer`; resolves with both results. */
  async function transfer(name: string, content: Buffer, receiveArgs: string[] = [], sendArgs: string[] = []) {
    const { url } = await procs.server(['transfer']);
    const source = path.join(dir, 'source.bin');
    writeFileSync(source, content);
    const receiver = procs.start(['receive', url, '--dir', inbox, ...receiveArgs]);
    await receiver.waitFor(/^ready /m);
    const send = await procs.run(['send', url, source, '--name', name, '--ack-timeout', '10', ...sendArgs]);
    return { send, receive: await receiver.result() };
  }

  it.each([['ix'], ['chunked']])('never replaces an existing file (--format %s): refused, the sender is told, the file is kept', async (format) => {
    writeFileSync(path.join(inbox, '.bashrc'), 'mine');
    const { send, receive } = await transfer('.bashrc', Buffer.from('theirs'), [], ['--format', format]);
    expect(receive.code).toBe(1);
    expect(receive.stderr).toBe("rxws: .bashrc: '.bashrc' already exists on the receiver (it runs without --overwrite)\n");
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/^rxws: receiver rejected \.bashrc: .*'\.bashrc' already exists on the receiver \(it runs without --overwrite\)\n$/);
    expect(readFileSync(path.join(inbox, '.bashrc'), 'utf8')).toBe('mine');
    expect(readdirSync(inbox)).toEqual(['.bashrc']);
  });

  it('replaces an existing file with --overwrite', async () => {
    writeFileSync(path.join(inbox, 'notes.txt'), 'old');
    const { send, receive } = await transfer('notes.txt', Buffer.from('new'), ['--overwrite']);
    expect(receive.code).toBe(0);
    expect(send.code).toBe(0);
    expect(readFileSync(path.join(inbox, 'notes.txt'), 'utf8')).toBe('new');
  });

  it('refuses a name that is a folder (EISDIR), even with --overwrite, with a message to the sender', async () => {
    mkdirSync(path.join(inbox, 'photos'));
    const { send, receive } = await transfer('photos', Buffer.from('x'), ['--overwrite']);
    expect(receive.stderr).toBe("rxws: photos: 'photos' is a folder on the receiver\n");
    expect(send.stderr).toMatch(/receiver rejected photos: .*'photos' is a folder on the receiver/);
    expect(readdirSync(inbox)).toEqual(['photos']);
  });

  it('refuses a name too long for the file system (ENAMETOOLONG) and accepts a 217-character one', async () => {
    const long = 'a'.repeat(300);
    const refused = await transfer(long, Buffer.from('x'));
    expect(refused.receive.stderr).toBe(`rxws: ${long}: file name is 300 bytes, more than the 255 a file system takes\n`);
    expect(refused.send.stderr).toMatch(/receiver rejected a+: .*file name is 300 bytes/);
    expect(readdirSync(inbox)).toEqual([]);
    await procs.killAll();
    const fine = await transfer('b'.repeat(217), Buffer.from('y'));
    expect(fine.receive.code).toBe(0);
    expect(readdirSync(inbox)).toEqual(['b'.repeat(217)]);
  });

  it('refuses a duplicate transfer id (EEXIST) and keeps the first transfer going', async () => {
    server = await startWsServer();
    const receiver = procs.start(['receive', server.url, '--dir', inbox]);
    const ws = await server.nextConnection();
    const answers = replies(ws);
    const content = Buffer.from('first');
    ws.send(header(hexId(1), 'one.txt', content));
    ws.send(header(hexId(1), 'two.txt', content));
    await until(() => answers.length >= 1, 'the refusal');
    expect(JSON.parse(answers[0])).toEqual({ kind: 'file-ack', id: hexId(1), name: 'two.txt', ok: false, reason: `a transfer with id ${hexId(1)} is already in progress` });
    const result = await receiver.result();
    expect(result.stderr).toBe(`rxws: two.txt: a transfer with id ${hexId(1)} is already in progress\n`);
    expect(readdirSync(inbox)).toEqual([]); // the first one's .part is removed when receive ends
  });

  it('bounds files in progress (300 announced: 16 open, the rest refused, no EMFILE) and cleans every .part on Ctrl-C', async () => {
    server = await startWsServer();
    const receiver = procs.start(['receive', server.url, '--dir', inbox, '--count', '0']);
    const ws = await server.nextConnection();
    const answers = replies(ws);
    for (let i = 0; i < 300; i++) ws.send(header(hexId(i), `f${i}.bin`, Buffer.alloc(10)));
    await until(() => answers.length >= 284, '284 refusals');
    const reasons = new Set(answers.map((a) => (JSON.parse(a) as { reason: string }).reason));
    expect([...reasons]).toEqual(['the receiver already has 16 files in progress: send fewer at once']);
    expect(readdirSync(inbox).filter((f) => f.endsWith('.part'))).toHaveLength(16);
    receiver.kill('SIGINT');
    const result = await receiver.result();
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(readdirSync(inbox)).toEqual([]);
    await until(() => ws.readyState === ws.CLOSED, 'the receiver to close its connection');
  });
});
