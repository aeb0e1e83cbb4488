// Runs a probe script (client-probe.ts, http-probe.ts) in a child process and waits for its one
// report; every child is killed in afterEach, and a probe that does not report within 20 s fails.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const PROBE_TIMEOUT_MS = 20_000;
const children = new Set<ChildProcess>();

/** Registers the afterEach that kills the probes a test started. Call at the top of a spec file. */
export function killProbesAfterEach(): void {
  afterEach(() => {
    for (const child of children) child.kill();
    children.clear();
  });
}

/** Runs spec/hostile/`script` with `input` (as JSON in argv[2]) and resolves with its report. */
export async function runProbe<T>(script: string, input: unknown): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const child = fork(path.join(__dirname, script), [JSON.stringify(input)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  try {
    const [report] = (await Promise.race([
      once(child, 'message'),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${script} did not report within 20 s`)), PROBE_TIMEOUT_MS))),
      once(child, 'exit').then(([code]) => Promise.reject(new Error(`${script} exited with ${String(code)} before reporting`))),
    ])) as [T];
    return report;
  } finally {
    clearTimeout(timer);
    child.kill();
  }
}
