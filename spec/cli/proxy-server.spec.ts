// `rxws proxy-server` while the upstream handshake hangs: bounded buffering, measured in the process.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { CliProcesses, requireBuiltCli } from './cli-process';

/** Resident memory of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

describe('rxws proxy-server with an upstream that never answers the handshake', () => {
  const procs = new CliProcesses();
  let hanging: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  beforeAll(requireBuiltCli);
  afterEach(async () => {
    await procs.killAll();
    for (const s of sockets) s.destroy();
    if (hanging) await new Promise((resolve) => hanging!.close(resolve));
    hanging = undefined;
  });

  it('closes a client that sends more than 4 MiB before the upstream opens (1013), and its memory stays bounded', async () => {
    hanging = net.createServer((socket) => {
      sockets.add(socket); // takes the upgrade request and never answers
      socket.on('error', () => undefined);
    });
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const upstream = `ws://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const { proc, url } = await procs.server(['proxy-server', '--remote-host', upstream]);
    const pid = proc.child.pid ?? -1;

    const client = new WebSocket(url);
    await once(client, 'open');
    const closed = once(client, 'close') as Promise<[number, Buffer]>;
    const before = rssOf(pid);
    const chunk = Buffer.alloc(1024 * 1024, 7);
    // Up to 100 MiB, one MiB at a time, while the proxy keeps the connection open.
    for (let i = 0; i < 100 && client.readyState === WebSocket.OPEN; i++) {
      await new Promise<void>((resolve) => client.send(chunk, () => resolve()));
    }
    const [code, reason] = await closed;
    expect(code).toBe(1013);
    expect(reason.toString()).toBe('Upstream not ready');
    expect(rssOf(pid) - before).toBeLessThan(48 * 1024 * 1024);
    expect(proc.stdout).toMatch(/upstream-error #1 .*not open yet and the client sent more than 4194304 bytes/);
  });
});
