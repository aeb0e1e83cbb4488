// What a process holds: active handles and requests by type (sockets, servers, timers),
// process listeners, and the heap after a full garbage collection.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

export interface Snapshot {
  resources: Record<string, number>;
  processListeners: number;
  heapUsed: number;
}

export function snapshot(): Snapshot {
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  const processListeners = process.eventNames().reduce((n, name) => n + process.listenerCount(name), 0);
  return { resources, processListeners, heapUsed: 0 };
}

/** Heap in use after full collections (a few rounds, so weak and finalized objects go too). */
export function settledHeap(): number {
  for (let i = 0; i < 3; i++) collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Resource types whose count grew from `before` to `after`. */
export function extraResources(before: Snapshot, after: Snapshot): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [type, n] of Object.entries(after.resources)) {
    const grown = n - (before.resources[type] ?? 0);
    if (grown > 0) extra[type] = grown;
  }
  return extra;
}

/** Runs `task` `total` times, `concurrency` at a time. */
export async function runPool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Polls a condition on each timer turn, for at most `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
