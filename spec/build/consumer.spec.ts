// The packed tarball in throw-away consumer projects: the built ESM and CommonJS files of every
// entry run against real sockets on loopback (and a real redis-server), and TypeScript projects
// with node10, node16 and bundler resolution compile against the shipped types with
// skipLibCheck off and no @types/ws.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { RedisServer } from '../scale/redis-server';
import { consumerApp, type ConsumerReport } from './consumer-app';
import { devBin, packAndInstall, ROOT, runChecked, TSC, writeFiles, type PackedPackage } from './packed';

jest.setTimeout(240_000);
const COMPILE_TIMEOUT_MS = 180_000;

let packed: PackedPackage;
let redis: RedisServer;

/** The TypeScript consumers: package.json type and the compiler options that differ. */
const TS_PROJECTS: Record<string, { type: 'module' | 'commonjs'; options: Record<string, unknown> }> = {
  node10: { type: 'commonjs', options: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true } },
  'node16-cjs': { type: 'commonjs', options: { module: 'node16', moduleResolution: 'node16' } },
  'node16-esm': { type: 'module', options: { module: 'node16', moduleResolution: 'node16' } },
  bundler: { type: 'module', options: { module: 'esnext', moduleResolution: 'bundler' } },
};
/** Each TypeScript consumer's compile, all started by the first test that needs one. */
const compiles = new Map<string, Promise<{ status: number | null; output: string }>>();

beforeAll(async () => {
  redis = await RedisServer.start();
  packed = packAndInstall();
});

/** Starts every TypeScript consumer's compile at once (after the socket programs, which it would slow down). */
function compiled(name: string): Promise<{ status: number | null; output: string }> {
  if (compiles.size === 0) {
    for (const [project, { type, options }] of Object.entries(TS_PROJECTS)) {
      writeFiles(packed.project, tsProject(project, type, options));
      compiles.set(project, compile(project));
    }
  }
  const result = compiles.get(name);
  if (result === undefined) throw new Error(`no TypeScript consumer project named ${name}`);
  return result;
}

/** Runs tsc on one consumer project (bounded in time); resolves with its exit status and output. */
function compile(name: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSC, '-p', name], { cwd: packed.project });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMPILE_TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, output: signal === null ? output : `${output}tsc was killed (${signal}) after ${COMPILE_TIMEOUT_MS} ms` });
    });
  });
}

afterAll(async () => {
  await Promise.all(compiles.values());
  packed?.remove();
  await redis?.stop();
});

const TS_APP = `import { connect, reconnect, type WebSocketEvent } from 'rxws';
import { serve, type ServerConnection, type ServeOptions } from 'rxws/server';
import { httpRequest, type HttpEvent } from 'rxws/http';
import { generateCertificate, TlsConfigError, type TlsOptions } from 'rxws/tls';
import { fakeConnect, openEvent, FakeSocket } from 'rxws/testing';
import { redisAdapter, type RedisAdapter } from 'rxws/redis';

const options: ServeOptions = { port: 0 };
const server = serve(options);
server.connections$.subscribe((conn: ServerConnection) => {
  conn.messages$.subscribe((m) => conn.send(m.data));
  const n: number = server.broadcast('hi');
  console.log(n, conn.id, conn.request.url);
});
const events$ = connect('ws://127.0.0.1:1').pipe(reconnect({ maxRetries: 1 }));
events$.subscribe((e: WebSocketEvent) => console.log(e.type));
httpRequest('http://127.0.0.1:1/').subscribe((e: HttpEvent) => console.log(e.type));
const tls: TlsOptions = { caFile: generateCertificate({ commonName: 'localhost' }).cert };
const adapter: RedisAdapter = redisAdapter({ url: 'redis://127.0.0.1:1' });
const fake = fakeConnect((socket: FakeSocket) => { throw new TlsConfigError(String(openEvent({ socket }).type)); });
console.log(tls, adapter, fake);
`;

/** A TypeScript consumer: its own package.json type and tsconfig, strict, skipLibCheck off. */
function tsProject(name: string, type: 'module' | 'commonjs', compilerOptions: Record<string, unknown>): Record<string, string> {
  const tsconfig = {
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022'], types: ['node'], ...compilerOptions },
    files: ['app.ts'],
  };
  return {
    [`${name}/package.json`]: JSON.stringify({ name, private: true, type }),
    [`${name}/tsconfig.json`]: JSON.stringify(tsconfig, null, 2),
    [`${name}/app.ts`]: TS_APP,
  };
}

describe('the packed package in a consumer project', () => {
  it.each(['esm', 'cjs'] as const)('%s: every entry runs against real sockets: server, connect, broadcast, http, tls, testing, redis', (format) => {
    const file = format === 'esm' ? 'app.mjs' : 'app.cjs';
    writeFiles(packed.project, { [file]: consumerApp(format) });
    const result = runChecked(process.execPath, [file], packed.project, { REDIS_URL: redis.url }, 120_000);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout.trim()) as ConsumerReport;
    expect(report).toEqual({
      format,
      broadcastCount: 1,
      broadcastReceived: 'hello from broadcast',
      httpEcho: { method: 'GET', url: '/echo?x=1' },
      tlsOpenedProtocol: 'v1',
      marble: 'ok',
      redis: { local: 0, instances: 1 },
      tlsErrorFromServerIsTlsEntryClass: true,
      tlsErrorFromHttpIsTlsEntryClass: true,
      serveOptionsErrorIsServerEntryClass: true,
    });
  });

  it('links the rxws bin, which loads its dependencies from the consumer\'s node_modules', () => {
    const result = runChecked(path.join(packed.project, 'node_modules/.bin/rxws'), ['--help'], packed.project);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: rxws /m);
    expect(result.stdout).toMatch(/^\s+echo-server\b/m);
  });

  it('installs no @types/ws: the public types stand on their own', () => {
    const lock = JSON.parse(readFileSync(path.join(packed.project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((p) => p.includes('@types/') && !p.endsWith('@types/node'))).toEqual([]);
  });

  it.each(Object.keys(TS_PROJECTS))('TypeScript with moduleResolution %s compiles against every entry, skipLibCheck off', async (name) => {
    const result = await compiled(name);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('the shipped types hold no @internal member, no ws import and none of WsSocket\'s internals', () => {
    const dist = path.join(packed.project, 'node_modules/rxws/dist');
    const types = readdirSync(dist).filter((f) => /\.d\.(m)?ts$/.test(f));
    expect(types.length).toBeGreaterThan(0);
    for (const file of types) {
      const text = readFileSync(path.join(dist, file), 'utf8');
      const leaks = {
        internal: text.includes('@internal'),
        wsImport: /from ['"]ws['"]/.test(text),
        wsField: /readonly ws: /.test(text),
        internalMembers: /^\s+((closeForPolicy|tooSlow)\(|batchFrom\b|awaitingPong\b)/m.test(text),
      };
      expect({ file, ...leaks }).toEqual({ file, internal: false, wsImport: false, wsField: false, internalMembers: false });
    }
  });
});

/** Gzipped size the browser bundle of connect + reconnect + keepAlive must stay under (README: Install). */
const BROWSER_BUDGET_BYTES = 10 * 1024;

describe('the packed package in a browser bundle', () => {
  it('esbuild picks the browser build through the exports condition: no Node module, under the size budget', async () => {
    writeFiles(packed.project, {
      'browser/app.mjs': "import { connect, keepAlive, reconnect } from 'rxws';\nconnect('wss://example.test/live').pipe(reconnect(), keepAlive({ intervalMs: 20000, heartbeat: 'ping' })).subscribe(console.log);\n",
    });
    const result = await build({
      absWorkingDir: packed.project,
      entryPoints: ['browser/app.mjs'],
      bundle: true,
      minify: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.startsWith('node_modules/rxws/')).every((f) => f.startsWith('node_modules/rxws/dist/browser/'))).toBe(true);
    expect(inputs.some((f) => f.startsWith('node_modules/rxws/dist/browser/'))).toBe(true);
    expect(inputs.filter((f) => /^node_modules\/(ws|node-forge|redis|@redis)\//.test(f))).toEqual([]);
    const gzipped = gzipSync(result.outputFiles[0].contents).length;
    expect(gzipped).toBeLessThan(BROWSER_BUDGET_BYTES);
  });
});

describe('the packed tarball', () => {
  it('@arethetypeswrong/cli finds no problem in any entry under node10, node16 (CJS and ESM) and bundler', () => {
    const result = runChecked(process.execPath, [devBin('@arethetypeswrong/cli', 'attw'), packed.tarball, '--format', 'ascii', '--no-color', '--no-emoji'], packed.dir);
    expect(`${result.stdout}${result.stderr}`).toContain('No problems found');
    expect(result.status).toBe(0);
  });

  it('publint reports nothing, not even a suggestion', () => {
    const result = runChecked(process.execPath, [devBin('publint', 'publint'), 'run', packed.tarball, '--level', 'suggestion'], packed.dir);
    expect(result.stdout.replace(/^(Running publint|Unpacking|Linting).*\n/gm, '').trim()).toBe('All good!');
    expect(result.status).toBe(0);
  });

  it('ships the MIT LICENSE, the repository links, docs/ and examples/ so the README\'s relative links work', () => {
    const installed = path.join(packed.project, 'node_modules/rxws');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: 'git+https://github.com/rxws/rxws.git' },
      homepage: 'https://github.com/rxws/rxws#readme',
      bugs: { url: 'https://github.com/rxws/rxws/issues' },
    });
    expect(readFileSync(path.join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} rxws contributors\n/);
    const readme = readFileSync(path.join(installed, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(path.join(installed, l)))).toEqual([]);
    const docs = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    expect(docs.filter((f) => !existsSync(path.join(installed, 'docs', f)))).toEqual([]);
  });

  it('accepts redis 5 and 6 as the optional peer (6 is what the consumer project installed and published through above)', () => {
    const manifest = JSON.parse(readFileSync(path.join(packed.project, 'node_modules/rxws/package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
    expect(manifest.peerDependencies.redis).toBe('^5 || ^6');
    const installedRedis = JSON.parse(readFileSync(path.join(packed.project, 'node_modules/redis/package.json'), 'utf8')) as { version: string };
    expect(installedRedis.version).toMatch(/^6\./);
  });
});
