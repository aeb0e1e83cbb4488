import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { browserTransport } from '../../tsup.browser-plugin';

const root = path.resolve(__dirname, '../..');
const NODE_ONLY_PACKAGES = ['ws', 'node-forge', 'commander', 'cli-progress', 'redis', 'agent-base', 'https-proxy-agent', 'socks-proxy-agent', 'proxy-from-env'];
const NODE_ONLY_SOURCES = /^src\/(server|tls|http|cli|proxy)\/|^src\/observables\/(transport|ws-socket)\.ts$/;
const isNodeBuiltin = (name: string): boolean => name.startsWith('node:') || builtinModules.includes(name.split('/')[0]);
/** Packages the browser entry may import: rxjs (a peer) and @msgpack/msgpack (the msgpack codec; checked below). */
const BROWSER_PACKAGES = ['rxjs', '@msgpack/msgpack'];
const isBrowserPackage = (p: string): boolean => BROWSER_PACKAGES.some((name) => p === name || p.startsWith(`${name}/`));

/** Bundles a browser entry the way tsup's browser build does and lists what it reached. */
async function reach(entry: string, external = ['rxjs', 'rxjs/*', '@msgpack/msgpack']): Promise<{ inputs: string[]; imports: string[] }> {
  const result = await build({
    entryPoints: [entry.startsWith('src/') ? path.join(root, entry) : entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
    external,
    plugins: [browserTransport],
  });
  const inputs = Object.keys(result.metafile.inputs);
  const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((imp) => imp.path));
  return { inputs, imports };
}

describe('the browser entry', () => {
  it.each(['src/index.ts', 'src/testing/index.ts'])('%s reaches no Node-only module', async (entry) => {
    const { inputs, imports } = await reach(entry);
    if (entry === 'src/index.ts') expect(inputs).toContain('src/observables/transport.browser.ts');
    expect(inputs.filter((f) => NODE_ONLY_SOURCES.test(f))).toEqual([]);
    expect(inputs.filter((f) => f.includes('node_modules'))).toEqual([]);
    const external = imports.filter((p) => !p.startsWith('src/'));
    expect(external.filter((p) => isNodeBuiltin(p) || NODE_ONLY_PACKAGES.includes(p))).toEqual([]);
    expect(external.every(isBrowserPackage)).toBe(true);
  });

  it('@msgpack/msgpack, which the msgpack codec imports, reaches no Node built-in in a browser bundle', async () => {
    const { imports } = await reach(require.resolve('@msgpack/msgpack'), []);
    expect(imports.filter(isNodeBuiltin)).toEqual([]);
  });

  it('the built browser files import nothing but rxjs and @msgpack/msgpack', () => {
    const built = ['dist/browser/index.mjs', 'dist/browser/index.cjs'].map((f) => path.join(root, f));
    for (const file of built) {
      expect(existsSync(file) ? file : `${file} is missing: run \`npm run build\` first (npm test does)`).toBe(file);
    }
    const esm = readFileSync(built[0], 'utf8');
    const specifiers = [...esm.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]).filter((s) => !s.startsWith('.'));
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.every(isBrowserPackage)).toBe(true);
    const cjs = readFileSync(built[1], 'utf8');
    const required = [...cjs.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]).filter((s) => !s.startsWith('.'));
    expect(required.every(isBrowserPackage)).toBe(true);
  });
});
