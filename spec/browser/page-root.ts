// Builds the directory a browser page is served from: the page fixtures, rxws's browser build
// exactly as `npm run build` made it, and rxjs as one ES module for the page's import map.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

const REPO = path.resolve(__dirname, '..', '..');
export const BROWSER_BUILD = path.join(REPO, 'dist', 'browser');
const FIXTURES = path.join(__dirname, 'fixtures');
/** The packages the browser build imports, and the file each is bundled to (fixtures/index.html maps them). */
const VENDORED: Record<string, string> = { rxjs: 'vendor.rxjs.mjs', '@msgpack/msgpack': 'vendor.msgpack.mjs' };

/** The bare module specifiers the browser build's `rxws` entry imports (the page's import map must cover them). */
function bareImports(dir: string): Set<string> {
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f === 'index.mjs' || (f.startsWith('chunk-') && f.endsWith('.mjs')))) {
    // An import or export statement's specifier (not any string after the word "from").
    for (const match of readFileSync(path.join(dir, file), 'utf8').matchAll(/\b(?:import|export)\s*(?:[^'"`;]*?\bfrom\s*)?["']([^"'./][^"']*)["']/g)) {
      found.add(match[1]);
    }
  }
  return found;
}

/**
 * A temporary root holding `index.html` and `app.mjs` (spec/browser/fixtures), `rxws/` (a copy of
 * dist/browser) and `vendor/rxjs.mjs`. Fails clearly when the browser build is missing.
 */
export function buildPageRoot(browserBuild = BROWSER_BUILD): { root: string; remove(): void } {
  const entry = path.join(browserBuild, 'index.mjs');
  if (!existsSync(entry)) {
    throw new Error(`rxws's browser build is missing (${entry}): run \`npm run build\` first (\`npm test\` does)`);
  }
  const unexpected = [...bareImports(browserBuild)].filter((s) => !(s in VENDORED));
  if (unexpected.length > 0) {
    throw new Error(`The browser build imports ${unexpected.join(', ')}: only ${Object.keys(VENDORED).join(' and ')} are mapped for the test page`);
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'rxws-page-'));
  cpSync(FIXTURES, root, { recursive: true });
  cpSync(browserBuild, path.join(root, 'rxws'), { recursive: true });
  // rxjs's own ESM files use extension-less relative imports a browser cannot resolve: bundle
  // them (and @msgpack/msgpack, which the msgpack codec imports) as one module each.
  for (const [name, file] of Object.entries(VENDORED)) {
    const bundled = buildSync({
      stdin: { contents: `export * from '${name}';`, resolveDir: REPO, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    writeFileSync(path.join(root, file), bundled.outputFiles[0].contents);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
