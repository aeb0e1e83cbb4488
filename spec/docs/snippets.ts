// The ```ts blocks of README.md and docs/*.md, and a type-check of each as its own module against
// src/ (rxws and rxws/* mapped as in jest.config.js), all in one TypeScript program.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(__dirname, '../..');
/** Where the blocks' virtual files live: inside the repository, so `rxjs` resolves to its node_modules. */
const VIRTUAL_DIR = path.join(ROOT, 'spec/docs/.snippets');

/** One fenced block. */
export interface Snippet {
  /** Path from the repository root, e.g. `docs/server.md`. */
  readonly file: string;
  /** Line of the block's first code line (1-based). */
  readonly line: number;
  readonly code: string;
  /** The virtual .ts file the block is checked as. */
  readonly virtualPath: string;
  /**
   * Set when the block's first line is `// <path> (excerpt)`: the block shows part of that file,
   * which its own project compiles (examples/angular is built by spec/angular); the block is then
   * checked line by line against the file instead of compiled alone.
   */
  readonly excerptOf?: string;
}

const EXCERPT_HEADER = /^\/\/ (\S+) \(excerpt\)\s*$/;

/**
 * The lines of an excerpt block that are not found in the file it names (ignoring indentation
 * and `//` comments the docs add; empty for a faithful excerpt).
 */
export function excerptProblems(snippet: Snippet): string[] {
  if (snippet.excerptOf === undefined) return [];
  const source = path.join(ROOT, snippet.excerptOf);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch {
    return [`${snippet.file}:${snippet.line}: the excerpt names ${snippet.excerptOf}, which does not exist`];
  }
  const strip = (line: string): string => line.replace(/\s+\/\/.*$/, '').trim();
  const fileLines = new Set(text.split('\n').map(strip));
  return snippet.code
    .split('\n')
    .slice(1)
    .map((line, i) => ({ code: strip(line), at: snippet.line + 1 + i }))
    .filter(({ code }) => code !== '' && !code.startsWith('//') && !fileLines.has(code))
    .map(({ code, at }) => `${snippet.file}:${at}: not in ${snippet.excerptOf}: ${code}`);
}

const FENCE_OPEN = /^```(ts|typescript)\s*$/;
const FENCE_CLOSE = /^```\s*$/;

/** The Markdown files whose blocks are checked: README.md and every docs/*.md (new pages included). */
export function markdownFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** The ```ts / ```typescript blocks of one Markdown text. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_OPEN.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !FENCE_CLOSE.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: a \`\`\`ts block is never closed`);
    const name = `${file.replace(/[/.]/g, '_')}_L${start + 1}.ts`;
    const excerptOf = EXCERPT_HEADER.exec(lines[start] ?? '')?.[1];
    snippets.push({ file, line: start + 1, code: lines.slice(start, end).join('\n'), virtualPath: path.join(VIRTUAL_DIR, name), ...(excerptOf && { excerptOf }) });
    i = end;
  }
  return snippets;
}

/** Every block of every checked file. */
export function allSnippets(): Snippet[] {
  return markdownFiles().flatMap((file) => extractSnippets(file, readFileSync(path.join(ROOT, file), 'utf8')));
}

/**
 * The repository's compiler options (strict, its `paths` for rxws and rxws/*), as an ES module
 * project would paste a block (top-level await allowed), less the unused-name checks: a doc block
 * shows a name it does not go on to use.
 */
function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, configPath);
  return {
    ...parsed.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
  };
}

/**
 * Stand-ins for frameworks a block may import that rxws does not depend on: the part of their
 * real API the docs use. Each is used only when the package itself is not installed.
 */
const FRAMEWORK_STUBS: Record<string, string> = {
  '@angular/core': [
    "export declare function Injectable(options?: { providedIn?: 'root' | 'platform' | 'any' | null }): ClassDecorator;",
    'export interface OnDestroy { ngOnDestroy(): void }',
  ].join('\n'),
};

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`, { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Type-checks every snippet as its own module (an `export {}` is appended, so a block's top-level
 * names never meet another's) and returns each one's errors as `file:line: message` lines, the
 * line being the Markdown line.
 */
export function typeCheck(snippets: readonly Snippet[]): Map<Snippet, string[]> {
  const byPath = new Map(snippets.map((s) => [s.virtualPath, s]));
  const stubs = new Map<string, string>();
  const options = compilerOptions();
  for (const [pkg, declarations] of Object.entries(FRAMEWORK_STUBS)) {
    if (isInstalled(pkg)) continue;
    const stubPath = path.join(VIRTUAL_DIR, 'stubs', `${pkg.replace(/[@/]/g, '_')}.d.ts`);
    stubs.set(stubPath, declarations);
    options.paths = { ...options.paths, [pkg]: [stubPath] };
  }
  const sourceOf = (s: Snippet): string => `${s.code}\nexport {};\n`;
  const virtualText = (fileName: string): string | undefined => {
    const snippet = byPath.get(path.resolve(fileName));
    return snippet !== undefined ? sourceOf(snippet) : stubs.get(path.resolve(fileName));
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = virtualText(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    return getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtualText(fileName) !== undefined || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtualText(fileName) ?? readFile(fileName);
  const program = ts.createProgram({ rootNames: [...byPath.keys()], options, host });
  const errors = new Map<Snippet, string[]>(snippets.map((s) => [s, []]));
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const snippet of snippets) {
    const sourceFile = program.getSourceFile(snippet.virtualPath);
    const diagnostics = sourceFile === undefined ? [] : [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    const messages = diagnostics.map((d) => {
      const { line } = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0 };
      return `${snippet.file}:${snippet.line + line}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    errors.set(snippet, messages);
  }
  if (global.length > 0) {
    const text = global.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
    throw new Error(`The snippet program itself does not compile (not a snippet's fault):\n${text}`);
  }
  return errors;
}
