// Idle memory per server connection, rxws serve() against a raw `ws` server, on the bundled
// build (as users install it). Each server runs alone in a fresh `node --expose-gc` process; the
// clients (raw ws) run here. Per connection = (memory with N idle clients - memory with none) / N,
// "none" measured after WARM_UP connections have come and gone: the code compiled on the first
// handshakes, once per process, is not counted as memory per connection.
//
//   npx tsx bench/idle-memory-probe.ts [--connections=2000,10000] [--modes=raw,rxws,rxws-messages,rxws-events]
//                                      [--snapshot=DIR]   (also a heap summary by constructor, diffed against raw)
//
// Loopback only; every loop is bounded by the connection count and a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { buildForBench, removeBuild } from './lib/build';

const MODES = ['raw', 'rxws', 'rxws-messages', 'rxws-events'] as const;
type Mode = (typeof MODES)[number];
const OPEN_BATCH = 250;
const WARM_UP = 200;
const DEADLINE_MS = 120_000;

// The server process: plain CommonJS, no tsx, so the heap holds only what the server made.
const SERVER = String.raw`
const { once } = require('node:events');
const v8 = require('node:v8');
const mode = process.env.PROBE_MODE;
let count = 0;
let open = () => 0;
async function start() {
  if (mode === 'raw') {
    const { WebSocketServer } = require('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    const noop = () => undefined;
    wss.on('connection', (ws) => { count++; ws.on('message', noop); ws.on('error', noop); });
    open = () => wss.clients.size;
    await once(wss, 'listening');
    return wss.address().port;
  }
  const { serve } = require(process.env.PROBE_BUNDLE);
  const server = serve({ host: '127.0.0.1', port: 0, maxConnections: 1e6 });
  open = () => server.clients.size;
  const observer = { complete: () => count-- };
  server.connections$.subscribe((c) => {
    count++;
    if (mode === 'rxws-messages') c.messages$.subscribe(observer);
    else if (mode === 'rxws-events') c.events$.subscribe(observer);
  });
  return (await server.listening).port;
}
async function memory() {
  for (let i = 0; i < 4; i++) { gc(); await new Promise((r) => setImmediate(r)); }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss, count, open: open() };
}
process.on('message', async (m) => {
  if (m.cmd === 'memory') process.send(await memory());
  if (m.cmd === 'snapshot') { await memory(); process.send({ file: v8.writeHeapSnapshot(m.file) }); }
});
start().then((port) => process.send({ port }));
`;

interface Sample {
  heapUsed: number;
  rss: number;
  /** Connections accepted (less those closed, for the modes that subscribe). */
  count: number;
  /** Connections open now. */
  open: number;
}

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  const reply = once(child, 'message') as Promise<[T]>;
  child.send(message);
  return reply.then(([m]) => m);
}

async function openClients(port: number, n: number): Promise<WebSocket[]> {
  const clients: WebSocket[] = [];
  const deadline = Date.now() + DEADLINE_MS;
  while (clients.length < n) {
    if (Date.now() > deadline) throw new Error(`opened only ${clients.length} of ${n} clients in time`);
    const batch = Array.from({ length: Math.min(OPEN_BATCH, n - clients.length) }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/probe?client=1`, { perMessageDeflate: false });
      ws.on('error', () => undefined);
      return ws;
    });
    await Promise.all(batch.map((ws) => once(ws, 'open')));
    clients.push(...batch);
  }
  return clients;
}

async function waitFor(child: ChildProcess, what: string, done: (sample: Sample) => boolean): Promise<Sample> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const sample = await ask<Sample>(child, { cmd: 'memory' });
    if (done(sample)) return sample;
    if (Date.now() > deadline) throw new Error(`the server did not get to ${what} in time (count ${sample.count}, open ${sample.open})`);
  }
}

/** Opens WARM_UP clients and closes them; resolves once the server has none open. */
async function warmUp(child: ChildProcess, port: number): Promise<void> {
  const clients = await openClients(port, WARM_UP);
  await waitFor(child, `${WARM_UP} connections`, (s) => s.open >= WARM_UP);
  for (const ws of clients) ws.terminate();
  await waitFor(child, 'no open connection', (s) => s.open === 0);
}

/** Self size and count per (node type, constructor name) of a heap snapshot. */
function summarize(file: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]];
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : snap.strings[snap.nodes[i + nameAt]];
    const key = `${type}:${name.slice(0, 60)}`;
    const entry = out.get(key) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += snap.nodes[i + sizeAt];
    out.set(key, entry);
  }
  return out;
}

async function measure(mode: Mode, n: number, bundle: string, snapshotDir: string | undefined): Promise<{ heap: number; rss: number; snapshot?: string }> {
  const child = spawn(process.execPath, ['--expose-gc', '-e', SERVER], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, PROBE_MODE: mode, PROBE_BUNDLE: bundle },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    await warmUp(child, port);
    const before = await ask<Sample>(child, { cmd: 'memory' });
    const clients = await openClients(port, n);
    const after = await waitFor(child, `${n} connections`, (s) => s.open >= n);
    let snapshot: string | undefined;
    if (snapshotDir !== undefined) snapshot = (await ask<{ file: string }>(child, { cmd: 'snapshot', file: path.join(snapshotDir, `${mode}-${n}.heapsnapshot`) })).file;
    for (const ws of clients) ws.terminate();
    return { heap: (after.heapUsed - before.heapUsed) / n, rss: (after.rss - before.rss) / n, snapshot };
  } finally {
    child.kill();
  }
}

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : arg.slice(name.length + 3);
}

async function main(): Promise<void> {
  const counts = option('connections', '2000,10000').split(',').map(Number);
  const modes = option('modes', MODES.join(',')).split(',') as Mode[];
  const snapshotDir = process.argv.find((a) => a.startsWith('--snapshot=')) ? option('snapshot', '') : undefined;
  const dir = await buildForBench();
  try {
    const bundle = path.join(dir, 'server.cjs');
    const lines: string[] = [];
    for (const n of counts) {
      const results = new Map<Mode, { heap: number; rss: number; snapshot?: string }>();
      for (const mode of modes) results.set(mode, await measure(mode, n, bundle, snapshotDir));
      const raw = results.get('raw');
      for (const [mode, r] of results) {
        const over = raw && mode !== 'raw' ? `  (raw +${(r.heap - raw.heap).toFixed(0)} B heap, +${(r.rss - raw.rss).toFixed(0)} B RSS)` : '';
        const line = `${String(n).padStart(6)} ${mode.padEnd(14)} heap ${r.heap.toFixed(0).padStart(6)} B/conn  rss ${r.rss.toFixed(0).padStart(6)} B/conn${over}`;
        lines.push(line);
        console.log(line);
      }
      if (snapshotDir !== undefined && raw?.snapshot) {
        const base = summarize(raw.snapshot);
        for (const [mode, r] of results) {
          if (mode === 'raw' || !r.snapshot) continue;
          const rows = [...summarize(r.snapshot)]
            .map(([key, v]) => ({ key, count: (v.count - (base.get(key)?.count ?? 0)) / n, size: (v.size - (base.get(key)?.size ?? 0)) / n }))
            .filter((row) => Math.abs(row.size) >= 4)
            .sort((a, b) => b.size - a.size);
          const text = rows.map((row) => `${row.size.toFixed(1).padStart(8)} B ${row.count.toFixed(2).padStart(6)}x  ${row.key}`).join('\n');
          writeFileSync(path.join(snapshotDir, `${mode}-${n}-vs-raw.txt`), text + '\n');
          console.log(`\n${mode} vs raw, per connection (heap snapshot):\n${rows.slice(0, 25).map((row) => `${row.size.toFixed(1).padStart(8)} B ${row.count.toFixed(2).padStart(6)}x  ${row.key}`).join('\n')}\n`);
        }
      }
    }
  } finally {
    removeBuild(dir);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
