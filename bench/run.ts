// `npm run bench`: rxws against raw ws, interleaved in the same run (A B A B …), client and
// server in separate processes on loopback. Prints one table of medians and ratios and writes
// every trial to bench/results.json. `--quick` runs tiny sizes in a few seconds (CI: it only
// proves the benchmark works). rxws is built from src/ first, as the package build does (see
// lib/build.ts); `--dist` measures the package's dist/ instead. `--only=id,id` picks workloads;
// `--out=FILE` writes the JSON elsewhere.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildForBench, removeBuild, type HostName } from './lib/build';
import { FULL, QUICK, openFilesFor, type BenchConfig } from './lib/config';
import { Host } from './lib/host';
import { chartBars, renderChart } from './lib/chart';
import { buildRow, formatTable, type Metrics, type Row, type RowSpec } from './lib/report';
import { WORKLOADS, type BenchContext, type Workload } from './suite';

interface Args {
  cfg: BenchConfig;
  /** Folder for CPU profiles of the hosts (--profile=DIR), to find where time goes. */
  profileDir: string | undefined;
  only: string[] | undefined;
  out: string | undefined;
  /** Where the SVG chart of the ratios goes (--chart=FILE; the full run: docs/benchmarks-ratios.svg). */
  chart: string | undefined;
  dist: boolean;
}

function parseArgs(argv: string[]): Args {
  let quick = false;
  let dist = false;
  let only: string[] | undefined;
  let out: string | undefined;
  let profileDir: string | undefined;
  let chart: string | undefined;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--dist') dist = true;
    else if (a.startsWith('--only=')) only = a.slice(7).split(',').filter(Boolean);
    else if (a.startsWith('--out=')) out = a.slice(6);
    else if (a.startsWith('--profile=')) profileDir = path.resolve(a.slice(10));
    else if (a.startsWith('--chart=')) chart = path.resolve(a.slice(8));
    else throw new Error(`unknown option '${a}'. Options: --quick, --dist, --only=id,id, --out=FILE, --chart=FILE, --profile=DIR`);
  }
  const ids = WORKLOADS.map((w) => w.id);
  for (const id of only ?? []) {
    if (!ids.includes(id)) throw new Error(`unknown workload '${id}'. Workloads: ${ids.join(', ')}`);
  }
  // The full run keeps its figures in bench/results.json; the quick mode writes only where told.
  if (!out && !quick) out = path.join(__dirname, 'results.json');
  if (!chart && !quick && !only) chart = path.join(__dirname, '..', 'docs', 'benchmarks-ratios.svg');
  return { cfg: quick ? QUICK : FULL, only, out, chart, dist, profileDir };
}

/** Runs a workload's trials, variants interleaved round by round. */
async function runWorkload(ctx: BenchContext, w: Workload): Promise<{ samples: Record<string, Metrics[]>; error?: string }> {
  const samples: Record<string, Metrics[]> = Object.fromEntries(w.variants.map((v) => [v, []]));
  const trials = w.trials?.(ctx.cfg) ?? ctx.cfg.trials;
  try {
    for (let round = 0; round < ctx.cfg.warmups + trials; round++) {
      for (const variant of w.variants) {
        const metrics = await w.trial(ctx, variant);
        if (round >= ctx.cfg.warmups) samples[variant].push(metrics);
      }
    }
    return { samples };
  } catch (err) {
    return { samples, error: err instanceof Error ? err.message : String(err) };
  }
}

function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
    if (m) return m[2] === 'unlimited' ? Infinity : Number(m[2]);
  } catch {
    // Not Linux: keep the configured sizes and let the hosts report if they run out.
  }
  return Infinity;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const cfg = { ...args.cfg, idle: { ...args.cfg.idle } };
  // 10,000 idle connections need ~10,500 open files in each host; lower the count to fit the hard limit.
  const hardLimit = openFileLimit();
  if (openFilesFor(cfg.idle.connections) > hardLimit) {
    const fit = Math.max(100, Math.floor((hardLimit - 512) / 1000) * 1000);
    console.warn(`open-file hard limit is ${hardLimit}: idle-memory uses ${fit} connections instead of ${cfg.idle.connections}`);
    cfg.idle.connections = fit;
  }
  const openFiles = openFilesFor(Math.max(cfg.idle.connections, cfg.broadcast.clients, cfg.storm.clients));
  const buildDir = await buildForBench();
  process.on('exit', () => removeBuild(buildDir));
  process.env.RXWS_BENCH_FROM = args.dist ? path.join(__dirname, '..', 'dist') : buildDir;
  const host = (name: HostName): string => path.join(buildDir, `${name}.cjs`);
  const workloads = WORKLOADS.filter((w) => !args.only || args.only.includes(w.id));

  const started = new Date();
  const loadBefore = os.loadavg();
  const prof = args.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${args.profileDir}`] : [];
  const [client, server] = await Promise.all([
    Host.start(host('client-host'), { label: 'clients', openFiles, nodeFlags: prof }),
    Host.start(host('server-host'), { label: 'server', openFiles, nodeFlags: ['--expose-gc', ...prof] }),
  ]);
  let microHost: Host | undefined;
  const freshHosts: Host[] = [];
  // ws masks with bufferutil when it is installed: a second pair of hosts masks in JavaScript.
  let jsMasking: Promise<{ client: Host; echoUrl: string }> | undefined;
  const peerUrls = new Map<string, Promise<string>>();
  // socket.io runs in hosts of its own (see BenchContext.hostsFor).
  let socketIoHosts: Promise<{ client: Host; server: Host }> | undefined;
  const startSocketIoHosts = (): Promise<{ client: Host; server: Host }> =>
    (socketIoHosts ??= (async () => {
      const [sioClient, sioServer] = await Promise.all([
        Host.start(host('client-host'), { label: 'clients (socket.io)', openFiles, nodeFlags: prof }),
        Host.start(host('server-host'), { label: 'server (socket.io)', openFiles, nodeFlags: ['--expose-gc', ...prof] }),
      ]);
      freshHosts.push(sioClient, sioServer);
      return { client: sioClient, server: sioServer };
    })());
  try {
    const { port } = await server.call<{ port: number }>('startEcho');
    const masking = await client.call<{ bufferutil: boolean }>('masking');
    const ctx: BenchContext = {
      cfg,
      client,
      server,
      echoUrl: `ws://127.0.0.1:${port}`,
      freshServer: async (files) => {
        const fresh = await Host.start(host('server-host'), { label: 'fresh server', openFiles: files, nodeFlags: ['--expose-gc'] });
        freshHosts.push(fresh);
        return fresh;
      },
      micro: async () => {
        // A young generation big enough that no scavenge falls inside a measured window.
        microHost ??= await Host.start(host('micro-host'), {
          label: 'micro',
          nodeFlags: ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'],
        });
        return microHost;
      },
      echoPeerUrl: (peer) => {
        let peerUrl = peerUrls.get(peer);
        if (peerUrl === undefined) {
          const peerHost = peer === 'socketio' ? startSocketIoHosts().then((h) => h.server) : Promise.resolve(server);
          peerUrl = peerHost.then((h) => h.call<{ port: number }>('startEchoPeer', { peer })).then((r) => `ws://127.0.0.1:${r.port}`);
          peerUrls.set(peer, peerUrl);
        }
        return peerUrl;
      },
      hostsFor: (variant) => (variant === 'socketio' ? startSocketIoHosts() : Promise.resolve({ client, server })),
      jsMasking: () =>
        (jsMasking ??= (async () => {
          const env = { WS_NO_BUFFER_UTIL: '1' };
          const [jsClient, jsServer] = await Promise.all([
            Host.start(host('client-host'), { label: 'clients (JS masking)', env }),
            Host.start(host('server-host'), { label: 'server (JS masking)', env }),
          ]);
          freshHosts.push(jsClient, jsServer);
          const { port: jsPort } = await jsServer.call<{ port: number }>('startEcho');
          return { client: jsClient, echoUrl: `ws://127.0.0.1:${jsPort}` };
        })()),
    };

    const rows: Row[] = [];
    const specs = new Map<Row, RowSpec>();
    const raw: Record<string, Record<string, Metrics[]>> = {};
    for (const w of workloads) {
      const t0 = Date.now();
      const { samples, error } = await runWorkload(ctx, w);
      raw[w.id] = samples;
      for (const spec of w.rows) {
        const row = buildRow(w.id, spec, samples, error);
        rows.push(row);
        specs.set(row, spec);
      }
      console.error(`${w.id}: ${error ? `FAILED: ${error}` : 'done'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }

    const loadAfter = os.loadavg();
    const mode = cfg.quick ? 'quick mode (tiny sizes: proves the benchmark runs, the figures mean nothing)' : `${cfg.trials} trials per variant`;
    const maskingText = masking.bufferutil ? 'ws masks with bufferutil' : 'ws masks in JavaScript (no bufferutil)';
    console.log(`\nrxws vs raw ws — ${mode}; medians; ${os.cpus().length} cores; load ${loadBefore[0].toFixed(1)} → ${loadAfter[0].toFixed(1)}; rxws from ${args.dist ? 'dist/' : 'src/ (built like the package)'}; ${maskingText}\n`);
    console.log(formatTable(rows, specs));
    if (args.chart) {
      writeFileSync(args.chart, renderChart(chartBars(rows), `rxws benchmark, ${started.toISOString().slice(0, 10)}: ratios to raw ws, same run (${maskingText})`));
      console.log(`\nchart written to ${path.relative(process.cwd(), args.chart)}`);
    }
    if (args.out) {
      const report = {
        date: started.toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        loadavg: { before: loadBefore, after: loadAfter },
        mode: cfg.quick ? 'quick' : 'full',
        rxwsFrom: args.dist ? 'dist' : 'src, built like the package',
        masking: masking.bufferutil ? 'bufferutil' : 'javascript',
        config: cfg,
        rows,
        trials: raw,
      };
      writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`\nfigures written to ${path.relative(process.cwd(), args.out)}`);
    }
    const failed = rows.filter((r) => r.error);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await Promise.all([client.stop(), server.stop()]);
    microHost?.kill();
    for (const h of freshHosts) h.kill();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
