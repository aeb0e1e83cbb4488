// File transfer between IXWebSocket's `ws` tool and rxws, in every mix of sender, relay and receiver.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliProcesses, requireBuiltCli } from '../cli/cli-process';
import { IxProcesses, requireIxWs } from './ix-peer';

type Side = 'ix' | 'rxws';
const MIXES: Array<[Side, Side, Side]> = [];
for (const sender of ['ix', 'rxws'] as const) for (const relay of ['ix', 'rxws'] as const) for (const receiver of ['ix', 'rxws'] as const) MIXES.push([sender, relay, receiver]);

describe('file transfer with IXWebSocket ws: every mix of send / transfer / receive', () => {
  const ix = new IxProcesses(requireIxWs());
  const procs = new CliProcesses();
  let dir: string;
  beforeAll(requireBuiltCli);
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rxws-ix-transfer-'));
  });
  afterEach(async () => {
    await ix.killAll();
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function relayUrl(relay: Side): Promise<string> {
    if (relay === 'rxws') return (await procs.server(['transfer'])).url;
    return `ws://127.0.0.1:${(await ix.server(['transfer'])).port}`;
  }

  it.each(MIXES)('%s send -> %s transfer -> %s receive: byte-identical, checksum verified, sender told', async (sender, relay, receiver) => {
    const content = randomBytes(200 * 1024);
    const source = path.join(dir, 'payload.bin');
    writeFileSync(source, content);
    const inbox = path.join(dir, 'inbox');
    mkdirSync(inbox);
    const url = await relayUrl(relay);

    const rxReceiver = receiver === 'rxws' ? procs.start(['receive', url, '--dir', inbox]) : undefined;
    const ixReceiver = receiver === 'ix' ? ix.start(['receive', url], { cwd: inbox }) : undefined;
    await (rxReceiver ? rxReceiver.waitFor(/^ready /m) : ixReceiver?.waitFor(/ws_receive: connected/));

    if (sender === 'rxws') {
      const sent = await procs.run(['send', url, source, '--ack-timeout', '10']);
      expect(sent.stderr).toBe('');
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/acknowledged payload\.bin verified by the receiver/);
    } else {
      const ixSender = ix.start(['send', url, source]);
      if (receiver === 'rxws') {
        // rxws repeats its reply for IXWebSocket's sender, which starts waiting late: it exits.
        expect((await ixSender.result()).output).toMatch(/ws_send: Done !/);
      } else {
        // Between two IXWebSocket ends the reply comes before `ws send` waits for it (its own race):
        // it is seen on the wire, and the sender is stopped here.
        await ixSender.waitFor(/ws_send: received message/);
      }
    }

    if (rxReceiver) {
      const received = await rxReceiver.result();
      expect(received.code).toBe(0);
      expect(received.stdout).toMatch(/received .*payload\.bin \(204800 bytes, sha256 [0-9a-f]{64}\)/);
    } else {
      // `ws receive` waits on a condition variable that an early open or message can notify before
      // it waits (IXWebSocket's own race): it then never exits. What it wrote and said is checked.
      const [acked] = await ixReceiver!.waitFor(/Computed hash: (\d+)\n[\s\S]*Reference hash: \1\n[\s\S]*Sending ack to sender/, 15_000);
      expect(acked).toMatch(/Renaming payload\.bin\.tmp to payload\.bin/);
    }
    expect(readdirSync(inbox)).toEqual(['payload.bin']);
    expect(readFileSync(path.join(inbox, 'payload.bin')).equals(content)).toBe(true);
  });

  it('rxws send --format chunked to IX receive: IX refuses it, and send says to use --format ix', async () => {
    const url = `ws://127.0.0.1:${(await ix.server(['transfer'])).port}`;
    const inbox = path.join(dir, 'inbox');
    mkdirSync(inbox);
    const receiver = ix.start(['receive', url], { cwd: inbox });
    await receiver.waitFor(/ws_receive: connected/);
    writeFileSync(path.join(dir, 'payload.bin'), randomBytes(1000));
    const sent = await procs.run(['send', url, path.join(dir, 'payload.bin'), '--format', 'chunked', '--ack-timeout', '10']);
    expect(sent.code).toBe(1);
    expect(sent.stderr).toBe('rxws: receiver rejected payload.bin: ws_receive: Invalid pdu (an IXWebSocket receiver reads only whole-file PDUs: send with --format ix)\n');
    expect(readdirSync(inbox)).toEqual([]);
  });
});
