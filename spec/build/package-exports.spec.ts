import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  peerDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

/** Runs a snippet with Node from the package root, where `rxws` resolves to the build through `exports`. */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

/** Every file an `exports` condition points to. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value as Record<string, unknown>).flatMap(targets);
}

describe('the package', () => {
  it('keeps rxjs a peer dependency, never bundled', () => {
    expect(pkg.peerDependencies.rxjs).toBe('^7.8');
    expect(pkg.dependencies.rxjs).toBeUndefined();
    const built = readdirSync(path.join(root, 'dist')).filter((f) => /\.(c|m)js$/.test(f)).map((f) => readFileSync(path.join(root, 'dist', f), 'utf8'));
    expect(built.join('\n')).toMatch(/require\(["']rxjs["']\)/);
    expect(built.filter((text) => /class Subscriber\b/.test(text))).toEqual([]);
  });

  it('keeps ?. and ?? as written in the CommonJS files (no helper call allocating per use on the hot path)', () => {
    const cjs = readdirSync(path.join(root, 'dist')).filter((f) => f.endsWith('.cjs'));
    expect(cjs.length).toBeGreaterThan(0);
    const withHelpers = cjs.filter((f) => /\b_(optionalChain|nullishCoalesce)\(/.test(readFileSync(path.join(root, 'dist', f), 'utf8')));
    expect(withHelpers).toEqual([]);
  });

  it('has every file its exports map and bin name', () => {
    const files = [...targets(pkg.exports), ...Object.values(pkg.bin)];
    expect(files.filter((f) => !existsSync(path.join(root, f)))).toEqual([]);
  });

  it.each(['rxws', 'rxws/server', 'rxws/http', 'rxws/tls', 'rxws/testing', 'rxws/redis'])('%s loads with require and import', (entry) => {
    const cjs = node(['-e', `console.log(Object.keys(require(${JSON.stringify(entry)})).sort().join(','))`]).trim();
    const esm = node(['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).sort().join(','))`]).trim();
    expect(cjs.length).toBeGreaterThan(0);
    expect(esm).toBe(cjs);
  });

  it('has one copy of each class across entries, in both formats: a TlsConfigError from rxws/server is rxws/tls\'s', () => {
    const check = (tls: string, server: string): string =>
      `try { ${server}.serve({ port: 0, tls: { certFile: 'only-a-cert.pem' } }); console.log('no throw'); } catch (e) { console.log(e instanceof ${tls}.TlsConfigError); }`;
    expect(node(['-e', check('require("rxws/tls")', 'require("rxws/server")')]).trim()).toBe('true');
    const esm = `import * as tls from 'rxws/tls'; import * as server from 'rxws/server'; ${check('tls', 'server')}`;
    expect(node(['--input-type=module', '-e', esm]).trim()).toBe('true');
  });

  it('exposes connect from both module formats', () => {
    expect(node(['-e', 'console.log(typeof require("rxws").connect)']).trim()).toBe('function');
    expect(node(['--input-type=module', '-e', 'import { connect } from "rxws"; console.log(typeof connect)']).trim()).toBe('function');
  });
});
