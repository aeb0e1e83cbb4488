// docs/cli.md's connect sample, run as written: its echo-server and its piped connect, and the
// output lines the page shows (PORT being the server's port).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliProcesses, requireBuiltCli } from '../cli/cli-process';

const page = readFileSync(path.resolve(__dirname, '../../docs/cli.md'), 'utf8');
const processes = new CliProcesses();

afterEach(() => processes.killAll());

/** The sample block: the `printf … | rxws connect …` command and the `# ` output lines below it. */
function connectSample(): { input: string; args: string[]; output: string[] } {
  const lines = page.split('\n');
  const at = lines.findIndex((l) => /^printf '.*' \| rxws connect /.test(l));
  if (at === -1) throw new Error("docs/cli.md has no `printf '…' | rxws connect …` sample");
  const [, input, args] = /^printf '(.*)' \| rxws (connect .*)$/.exec(lines[at]) ?? [];
  const output: string[] = [];
  for (let i = at + 1; i < lines.length && lines[i].startsWith('# '); i++) output.push(lines[i].slice(2));
  return { input: input.replace(/\\n/g, '\n'), args: args.split(' '), output };
}

describe('docs/cli.md', () => {
  it('the connect sample prints what the page shows, the pong of the ping on open included', async () => {
    requireBuiltCli();
    const sample = connectSample();
    const { port } = await processes.server(['echo-server']);
    const args = sample.args.map((a) => a.replace('PORT', String(port)));
    const result = await processes.run(args, sample.input);
    expect(result.code).toBe(0);
    const expected = sample.output.map((l) => l.replace('PORT', String(port)));
    expect(result.stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
