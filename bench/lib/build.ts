// Builds rxws and the bench hosts the way the package is built (tsup, CommonJS, es2022, the
// dependencies external), into a private folder: the bench measures the code users install,
// not tsx's on-the-fly transpilation (which keeps function names by defining a `name` property
// on every named closure: ~250 B and a few µs each, enough to skew memory and handshake
// figures), and it does not depend on a dist/ that may be stale or being rebuilt.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The bench host programs, bundled next to rxws so that they run as plain JavaScript too. */
export const HOSTS = ['client-host', 'server-host', 'micro-host'] as const;
export type HostName = (typeof HOSTS)[number];

/**
 * Builds `rxws`, `rxws/server` and the bench hosts to a fresh folder under node_modules/.cache
 * (inside the project, so the build finds ws and rxjs as the package does); returns it (see
 * `removeBuild`). The hosts load rxws at run time from RXWS_BENCH_FROM (this folder or dist/).
 */
export async function buildForBench(): Promise<string> {
  const { build } = await import('tsup');
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  // socket.io (a dev dependency, the benchmark's rival) and bufferutil (optional, native) are loaded as installed, not bundled.
  const external = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    'socket.io',
    'socket.io-client',
  ];
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  removeStaleBuilds(cache);
  const outDir = mkdtempSync(path.join(cache, 'rxws-bench-'));
  await build({
    config: false,
    entry: {
      index: path.join(ROOT, 'src/index.ts'),
      server: path.join(ROOT, 'src/server/index.ts'),
      redis: path.join(ROOT, 'src/redis/index.ts'),
      ...Object.fromEntries(HOSTS.map((h) => [h, path.join(ROOT, 'bench', 'hosts', `${h}.ts`)])),
    },
    format: ['cjs'],
    platform: 'node',
    target: 'es2022',
    outDir,
    external,
    dts: false,
    sourcemap: false,
    silent: true,
    outExtension: () => ({ js: '.cjs' }),
  });
  return outDir;
}

/** Builds older than this were left by a run that was killed (a live run removes its own). */
const STALE_MS = 6 * 60 * 60 * 1000;

function removeStaleBuilds(cache: string): void {
  for (const name of readdirSync(cache)) {
    if (!name.startsWith('rxws-bench-')) continue;
    const dir = path.join(cache, name);
    if (Date.now() - statSync(dir).mtimeMs > STALE_MS) removeBuild(dir);
  }
}

export function removeBuild(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
