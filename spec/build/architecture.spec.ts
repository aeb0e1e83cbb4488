// The layers of src/ (.dependency-cruiser.cjs, drawn in docs/architecture.md): imports point down,
// never up and never round. dependency-cruiser reads the real import graph, type-only imports included.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const CONFIG = path.join(root, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
  readonly cycle?: readonly { readonly name: string }[];
}

/** Cruises `dir` (relative to `cwd`) with the project's rules; returns the violations. */
function cruise(cwd: string, dir = 'src'): Violation[] {
  const result = spawnSync(process.execPath, [DEPCRUISE, dir, '--config', CONFIG, '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.stdout.trim() === '') throw new Error(`dependency-cruiser printed nothing (exit ${result.status}): ${result.stderr}`);
  const output = JSON.parse(result.stdout) as { summary: { violations: Violation[] } };
  return output.summary.violations;
}

const describeViolation = (v: Violation): string =>
  `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (circle: ${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`;

describe('the architecture', () => {
  it('src/ has no circle of imports and no import from a lower layer to a higher one', () => {
    expect(cruise(root).map(describeViolation)).toEqual([]);
  });

  describe('the rules catch what they name', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'rxws-layers-'));
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node10', types: [] } }));
      const files: Record<string, string> = {
        // core climbing to the server: upward.
        'src/core/events.ts': "import { serve } from '../server/serve';\nexport const a = serve;\n",
        'src/server/serve.ts': 'export const serve = 1;\n',
        // two operators importing each other: a circle.
        'src/operators/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'src/operators/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
        // a browser-safe file reaching a Node built-in.
        'src/client/node.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
        // the Node transport may (it is swapped out of the browser build).
        'src/observables/transport.ts': "import { connect } from 'node:net';\nexport const c = connect;\n",
        // http and server are siblings: neither imports the other.
        'src/http/request.ts': "import { serve } from '../server/serve';\nexport const r = serve;\n",
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('an upward import, a circle, a Node built-in in browser-safe code and a sibling import; nothing else', () => {
      const found = cruise(dir).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(found.sort()).toEqual(
        [
          'browser-safe-reaches-no-node: src/client/node.ts -> fs',
          'core-points-down: src/core/events.ts -> src/server/serve.ts',
          'http-points-down: src/http/request.ts -> src/server/serve.ts',
          'no-circular: src/operators/a.ts -> src/operators/b.ts',
        ].sort(),
      );
    });
  });

  it('every folder of src/ is named in docs/architecture.md, and each entry index.ts opens with one line saying what it is', () => {
    const page = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
    const folders = readdirSync(path.join(root, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !page.includes(`\`src/${f}/\``))).toEqual([]);
    for (const index of ['src/index.ts', ...folders.map((f) => `src/${f}/index.ts`)]) {
      let first: string;
      try {
        first = readFileSync(path.join(root, index), 'utf8').split('\n')[0];
      } catch {
        continue; // not an entry: no barrel (STYLE.md 13); docs/architecture.md says what it holds
      }
      expect([index, first]).toEqual([index, expect.stringMatching(/^\/\/ The `rxws[/a-z]*` entry.*: /)]);
    }
  });
});
