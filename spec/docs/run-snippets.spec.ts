// The ```ts blocks that are cheap to run are run: marble tests and fake-socket examples, which
// need no network and no time (virtual time only). A block that is itself a spec (`describe` /
// `it`) registers its own tests; any other is run as the body of one test, its imports hoisted.
// Each block is written to .tmp/snippets/ (ignored by git) and required through Jest, so
// `rxws` and `rxws/testing` resolve to src/ as in every spec.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allSnippets, ROOT, type Snippet } from './snippets';

const RUN_DIR = path.join(ROOT, '.tmp/snippets');
/** Modules a runnable block may import: nothing that reaches the network or the file system. */
const OFFLINE_MODULES = new Set(['rxjs', 'rxjs/testing', 'rxws', 'rxws/testing']);
const IMPORT = /^import\s[^;]*?from\s+'([^']+)';\s*$/gm;

/** True for a block that runs offline in virtual time and assumes nothing (`declare`). */
function isRunnable(code: string): boolean {
  if (/^\s*declare\s/m.test(code)) return false;
  if (!/\b(fakeConnect|FakeSocket|TestScheduler)\b/.test(code)) return false;
  const imports = [...code.matchAll(IMPORT)];
  if (imports.length === 0 || !imports.every((m) => OFFLINE_MODULES.has(m[1]))) return false;
  // connect from 'rxws' opens real sockets; the fake one is declared in the block.
  return !imports.some((m) => m[1] === 'rxws' && /\bconnect\b/.test(m[0]));
}

/** The block as a module Jest can require: as is when it is a spec, else its body inside one `it`. */
function asSpecModule(snippet: Snippet): string {
  const { code } = snippet;
  if (/^\s*(describe|it)\(/m.test(code)) return code;
  const imports = [...code.matchAll(IMPORT)].map((m) => m[0]);
  const body = code.replace(IMPORT, '');
  return [
    ...imports,
    `it('runs as pasted (${snippet.file}:${snippet.line})', () => {`,
    "  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);",
    '  try {',
    body,
    '  } finally {',
    '    log.mockRestore();',
    '  }',
    '});',
    '',
  ].join('\n');
}

const runnable = allSnippets().filter((s) => isRunnable(s.code));
mkdirSync(RUN_DIR, { recursive: true });

describe('runnable ```ts blocks', () => {
  it('include the README and docs/testing.md marble tests', () => {
    expect(runnable.some((s) => s.file === 'README.md')).toBe(true);
    expect(runnable.filter((s) => s.file === 'docs/testing.md').length).toBeGreaterThanOrEqual(3);
  });

  for (const snippet of runnable) {
    describe(`${snippet.file}:${snippet.line}`, () => {
      const file = path.join(RUN_DIR, path.basename(snippet.virtualPath));
      writeFileSync(file, asSpecModule(snippet));
      jest.isolateModules(() => {
        require(file);
      });
    });
  }
});
