// Every ```ts block in README.md and docs/*.md compiles as pasted: a complete module with its
// own imports (from 'rxws', 'rxws/server', …, resolved to src/ here), `declare const` for what it
// assumes. A failure names the Markdown file and line.
import { allSnippets, excerptProblems, extractSnippets, typeCheck, type Snippet } from './snippets';

jest.setTimeout(120_000);

const all = allSnippets();
/** Excerpts of files another project compiles (`// path (excerpt)`) are checked against those files. */
const snippets = all.filter((s) => s.excerptOf === undefined);
const excerpts = all.filter((s) => s.excerptOf !== undefined);
let errors: Map<Snippet, string[]>;

beforeAll(() => {
  errors = typeCheck(snippets);
});

describe('the ```ts blocks of README.md and docs/', () => {
  it('are found in the README and the docs pages', () => {
    expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThan(0);
    expect(new Set(snippets.map((s) => s.file)).size).toBeGreaterThan(5);
  });

  it.each(snippets.map((s) => [`${s.file}:${s.line}`, s] as const))('%s compiles as pasted', (_name, snippet) => {
    expect(errors.get(snippet)).toEqual([]);
  });

  it.each(excerpts.map((s) => [`${s.file}:${s.line}`, s] as const))('%s is a faithful excerpt of the file it names', (_name, snippet) => {
    expect(excerptProblems(snippet)).toEqual([]);
  });
});

describe('the snippet checker', () => {
  it('finds a line of an excerpt that its file does not hold', () => {
    const markdown = ['```typescript', '// examples/angular/src/app/app.ts (excerpt)', 'export class App {', '  private readonly nope = 42;', '}', '```'].join('\n');
    const [snippet] = extractSnippets('docs/angular.md', markdown);
    expect(snippet.excerptOf).toBe('examples/angular/src/app/app.ts');
    expect(excerptProblems(snippet)).toEqual(['docs/angular.md:4: not in examples/angular/src/app/app.ts: private readonly nope = 42;']);
  });

  it('reports an error at the Markdown file and line where it is', () => {
    const markdown = ['# page', '', '```ts', "import { connect } from 'rxws';", '', "connect('ws://x').subscribe((e) => e.nope);", '```', ''].join('\n');
    const [snippet] = extractSnippets('docs/example.md', markdown);
    expect(snippet.line).toBe(4);
    expect(typeCheck([snippet]).get(snippet)).toEqual([expect.stringMatching(/^docs\/example\.md:6: error TS2339: Property 'nope' does not exist/)]);
  });

  it('checks each block as its own module: names do not leak from one block to the next', () => {
    const markdown = ['```ts', 'const shared = 1;', '```', '', '```typescript', 'console.log(shared);', '```'].join('\n');
    const [first, second] = extractSnippets('docs/two.md', markdown);
    const result = typeCheck([first, second]);
    expect(result.get(first)).toEqual([]);
    expect(result.get(second)).toEqual([expect.stringMatching(/^docs\/two\.md:6: error TS2304: Cannot find name 'shared'/)]);
  });
});
