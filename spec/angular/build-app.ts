// Installs and builds examples/angular the way a user would: `npm ci` (which packs rxws from the
// repo's dist/, as its .npmrc says install-links) and `ng build`.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = join(__dirname, '..', '..');
export const APP_DIR = join(REPO_ROOT, 'examples', 'angular');
/** Where `ng build` writes the page (angular.json's default output path). */
export const APP_OUTPUT = join(APP_DIR, 'dist', 'rxws-angular', 'browser');

const INSTALL_TIMEOUT_MS = 180_000;
const BUILD_TIMEOUT_MS = 120_000;

/** A digest of every file under `dir` (names and contents), or '' when it does not exist. */
function treeDigest(dir: string): string {
  if (!existsSync(dir)) return '';
  const hash = createHash('sha256');
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(sub, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(join(dir, path)));
    }
  };
  walk('.');
  return hash.digest('hex');
}

async function step(what: string, file: string, args: string[], timeout: number): Promise<string> {
  try {
    const env = { ...process.env, NG_CLI_ANALYTICS: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
    const { stdout, stderr } = await run(file, args, { cwd: APP_DIR, timeout, maxBuffer: 32 * 1024 * 1024, env });
    return `${stdout}\n${stderr}`;
  } catch (err) {
    const { stdout = '', stderr = '', message } = err as { stdout?: string; stderr?: string; message: string };
    const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what} failed in ${APP_DIR} (${message.split('\n')[0]}):\n${tail}`);
  }
}

/**
 * `npm ci` when the app has no node_modules or its copy of rxws differs from the repo's dist/,
 * then `ng build`. Needs the repo built first (`npm test` does it; else `npm run build`).
 */
export async function buildAngularApp(): Promise<string> {
  const rootDist = join(REPO_ROOT, 'dist');
  if (!existsSync(join(rootDist, 'browser', 'index.mjs'))) {
    throw new Error(`The Angular app installs rxws from ${rootDist}, which is not built: run npm run build first`);
  }
  if (treeDigest(join(APP_DIR, 'node_modules', 'rxws', 'dist')) !== treeDigest(rootDist)) {
    await step('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], INSTALL_TIMEOUT_MS);
  }
  await step('ng build', join(APP_DIR, 'node_modules', '.bin', 'ng'), ['build'], BUILD_TIMEOUT_MS);
  if (!existsSync(join(APP_OUTPUT, 'index.html'))) throw new Error(`ng build wrote no ${join(APP_OUTPUT, 'index.html')}`);
  return APP_OUTPUT;
}

/** `ng test` once (Angular's unit-test runner, Vitest), after `buildAngularApp`; resolves with its output. */
export function testAngularApp(): Promise<string> {
  return step('ng test', join(APP_DIR, 'node_modules', '.bin', 'ng'), ['test', '--watch=false'], BUILD_TIMEOUT_MS);
}
