// Chat between IXWebSocket's `ws chat` and `rxws chat`, on either side's broadcast server.
import { CliProcesses, requireBuiltCli } from '../cli/cli-process';
import { IxProcesses, requireIxWs } from './ix-peer';

describe('chat with IXWebSocket ws: its binary PDU (user, text) both ways', () => {
  const ix = new IxProcesses(requireIxWs());
  const procs = new CliProcesses();
  beforeAll(requireBuiltCli);
  afterEach(async () => {
    await ix.killAll();
    await procs.killAll();
  });

  it.each([['ix broadcast_server'], ['rxws broadcast-server']])('on %s: each sees the other\'s nick and text', async (relay) => {
    const url = relay.startsWith('ix') ? `ws://127.0.0.1:${(await ix.server(['broadcast_server'])).port}` : (await procs.server(['broadcast-server'])).url;
    const bob = ix.start(['chat', url, 'bob']);
    await bob.waitFor(/ws chat: connected/);
    const alice = procs.start(['chat', url, 'alice']);
    await alice.waitFor(/^joined /m);

    alice.send('hello from rxws, ünïcode');
    await bob.waitFor(/alice\(\d+ bytes\) > hello from rxws, ünïcode\n/);
    bob.child.stdin.write('hello from ix\n');
    await alice.waitFor(/^chat bob: hello from ix$/m);
  });
});
