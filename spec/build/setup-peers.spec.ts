// The README's test command does its own set-up: `npm test` runs scripts/setup-peers.sh first,
// which installs the missing Debian peers as root, or says in one line what to run, and builds
// IXWebSocket's `ws` through ../shared/peers. Driven here with stand-ins for dpkg, apt-get and
// id on PATH, so nothing is installed.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const SCRIPT = path.join(root, 'scripts/setup-peers.sh');
const PEERS = ['chromium', 'python3-websockets', 'redis-server', 'squid', 'tinyproxy', 'microsocks', 'dante-server'];

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rxws-setup-peers-'));
  const fake = (name: string, body: string): void => {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  };
  // dpkg -s PKG succeeds for the packages listed in FAKE_INSTALLED.
  fake('dpkg', 'for p in $FAKE_INSTALLED; do [ "$p" = "$2" ] && exit 0; done; exit 1');
  fake('apt-get', `echo "$*" >> "${dir}/apt.log"`);
  fake('id', 'echo "$FAKE_UID"');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  lines: string[];
  status: number | null;
  apt: string[];
}

function setup(options: { installed: string[]; uid: number; peersDir?: string }): Run {
  const result = spawnSync('bash', [SCRIPT], {
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      HOME: dir,
      FAKE_INSTALLED: options.installed.join(' '),
      FAKE_UID: String(options.uid),
      RXWS_PEERS_DIR: options.peersDir ?? path.join(dir, 'no-such-peers-dir'),
    },
  });
  const aptLog = path.join(dir, 'apt.log');
  const apt = existsSync(aptLog) ? readFileSync(aptLog, 'utf8').trim().split('\n') : [];
  return { lines: `${result.stdout}${result.stderr}`.split('\n').filter(Boolean), status: result.status, apt };
}

/** A stand-in for ../shared/peers/build-ixwebsocket.sh that records its call. */
function fakePeersDir(): string {
  const peers = path.join(dir, 'peers');
  const called = path.join(dir, 'built');
  spawnSync('mkdir', ['-p', peers]);
  writeFileSync(path.join(peers, 'build-ixwebsocket.sh'), `echo called > "${called}"\necho /cache/ws\n`);
  return peers;
}

describe('scripts/setup-peers.sh', () => {
  it('as root installs only the missing Debian peers, then builds IXWebSocket\'s ws', () => {
    const run = setup({ installed: PEERS.filter((p) => p !== 'squid' && p !== 'microsocks'), uid: 0, peersDir: fakePeersDir() });
    expect(run.status).toBe(0);
    expect(run.apt).toEqual(['update -qq', 'install -y -qq squid microsocks']);
    expect(run.lines).toEqual(['setup-peers: installing squid microsocks']);
    expect(existsSync(path.join(dir, 'built'))).toBe(true);
  });

  it('when not root says in one line what to run, installs nothing and lets the tests run', () => {
    const run = setup({ installed: PEERS.filter((p) => p !== 'redis-server'), uid: 1000, peersDir: fakePeersDir() });
    expect(run.status).toBe(0);
    expect(run.apt).toEqual([]);
    expect(run.lines).toEqual(['setup-peers: missing redis-server: run  sudo apt-get install -y redis-server  (their tests fail until then)']);
  });

  it('with every peer there prints nothing; an absent ../shared/peers is one line', () => {
    expect(setup({ installed: PEERS, uid: 0, peersDir: fakePeersDir() })).toEqual({ lines: [], status: 0, apt: [] });
    const run = setup({ installed: PEERS, uid: 0 });
    expect(run.status).toBe(0);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(/^setup-peers: .*no-such-peers-dir\/build-ixwebsocket\.sh is absent, so IXWebSocket's ws is not built/);
  });

  it('a failing build of ws is one line, not a failed test run', () => {
    const peers = fakePeersDir();
    writeFileSync(path.join(peers, 'build-ixwebsocket.sh'), 'exit 3\n');
    const run = setup({ installed: PEERS, uid: 0, peersDir: peers });
    expect(run.status).toBe(0);
    expect(run.lines).toEqual([expect.stringMatching(/^setup-peers: building IXWebSocket's ws with .* failed/)]);
  });
});

describe('the README\'s test command', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it('npm test runs the peer set-up first, and a quiet build (its file listing: npx tsup)', () => {
    expect(pkg.scripts.pretest).toBe('bash scripts/setup-peers.sh');
    expect(pkg.scripts.test.startsWith('npm run build')).toBe(true);
    expect(pkg.scripts.build).toMatch(/\btsup --silent$/);
  });

  it('is what .ci/run runs', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const command = /^(npm ci && npm test)\s+#/m.exec(readme);
    expect(command?.[1]).toBe('npm ci && npm test');
    const ci = readFileSync(path.join(root, '.ci/run'), 'utf8').split('\n');
    expect(ci.filter((line) => line.trim() === command?.[1])).toHaveLength(1);
    expect(ci.filter((line) => /apt-get|dpkg/.test(line))).toEqual([]);
  });
});
