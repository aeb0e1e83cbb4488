// The package as users install it: `npm pack` of the build into a temporary folder outside the
// repository (so nothing resolves to the repository's own node_modules, its @types included),
// then one `npm install` of the tarball into a throw-away consumer project, from npm's cache
// when it holds everything.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const INSTALL_TIMEOUT_MS = 180_000;

/** A packed and installed copy of rxws. */
export interface PackedPackage {
  /** The temporary folder holding everything below; removed by `remove()`. */
  readonly dir: string;
  /** The `npm pack` tarball. */
  readonly tarball: string;
  /** The consumer project whose node_modules holds rxws and its dependencies. */
  readonly project: string;
  remove(): void;
}

/** Dependencies the consumer project installs next to the tarball (redis 6: the newest peer range). */
export const CONSUMER_DEPENDENCIES = { rxjs: '^7.8', redis: '^6', '@types/node': '^20' };

/** npm settings a child npm keeps from ours; the rest (lifecycle, prefixes of this package's run) would mislead it. */
const KEPT_NPM_SETTINGS = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig']);

/** This process's environment without what `npm test` adds for its own package (npm_package_*, npm_lifecycle_*, prefixes). */
function npmEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_') || KEPT_NPM_SETTINGS.has(name.toLowerCase())));
  return { ...env, npm_config_update_notifier: 'false' };
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, env: npmEnvironment() });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Packs the built package and installs it into a fresh consumer project. Needs `npm run build` first. */
export function packAndInstall(): PackedPackage {
  if (!existsSync(path.join(ROOT, 'dist/index.mjs'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rxws-packed-'));
  try {
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as Array<{ filename: string }>;
    const tarball = path.join(dir, packed[0].filename);
    const project = path.join(dir, 'consumer');
    mkdirSync(project);
    const dependencies = { rxws: `file:${tarball}`, ...CONSUMER_DEPENDENCIES };
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies }, null, 2));
    run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], project);
    return { dir, tarball, project, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Writes `files` (path → text) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Runs a command with a time limit, returning its output whatever its exit status. */
export function runChecked(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): SpawnSyncReturns<string> {
  // CI=true turns colours on in picocolors-based tools (publint); the output is compared as text.
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env } });
}

/** The repository's TypeScript compiler (the version does not change what the consumer's types resolve to). */
export const TSC = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
/** A bin of a devDependency, run with Node (read from its manifest: not every package exports it). */
export function devBin(pkg: string, bin: string): string {
  const dir = path.join(ROOT, 'node_modules', pkg);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return path.join(dir, typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin]);
}
