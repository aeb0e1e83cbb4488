// Loads rxws for the bench hosts: from src/ through tsx (default), or from the built dist/
// when RXWS_BENCH_FROM=dist (`npm run bench -- --dist`), i.e. exactly the code users install.
import path from 'node:path';
import type * as ClientEntry from 'rxws';
import type * as ServerEntry from 'rxws/server';

const fromDist = process.env.RXWS_BENCH_FROM === 'dist';
const dist = (file: string): string => path.resolve(__dirname, '..', '..', 'dist', file);

/** The `rxws` entry (connect, operators). */
export function rxwsClient(): typeof ClientEntry {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return fromDist ? require(dist('index.cjs')) : require('rxws');
}

/** The `rxws/server` entry (serve). */
export function rxwsServer(): typeof ServerEntry {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return fromDist ? require(dist('server.cjs')) : require('rxws/server');
}
