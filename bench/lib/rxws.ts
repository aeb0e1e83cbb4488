// Loads rxws in the bench hosts from the folder named by RXWS_BENCH_FROM: the bench's own
// build of src/ (see build.ts, the default) or the package's dist/ (`--dist`).
import path from 'node:path';
import type * as ClientEntry from 'rxws';
import type * as RedisEntry from 'rxws/redis';
import type * as ServerEntry from 'rxws/server';

const loaded = new Map<string, unknown>();

/** Requires a file of the build once (a require per call would cost the caller a module lookup). */
function load(file: string): unknown {
  let entry = loaded.get(file);
  if (entry === undefined) {
    const dir = process.env.RXWS_BENCH_FROM;
    if (!dir) throw new Error('RXWS_BENCH_FROM is not set: run the benchmark through bench/run.ts');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    entry = require(path.join(dir, file)) as unknown;
    loaded.set(file, entry);
  }
  return entry;
}

/** The `rxws` entry (connect, operators). */
export function rxwsClient(): typeof ClientEntry {
  return load('index.cjs') as typeof ClientEntry;
}

/** The `rxws/server` entry (serve). */
export function rxwsServer(): typeof ServerEntry {
  return load('server.cjs') as typeof ServerEntry;
}

/** The `rxws/redis` entry (redisHistory). */
export function rxwsRedis(): typeof RedisEntry {
  return load('redis.cjs') as typeof RedisEntry;
}
