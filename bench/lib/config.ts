// Sizes of the benchmark: the full run (`npm run bench`) and the quick mode (`--quick`, a few
// seconds, which only proves that every workload still runs).

export interface BenchConfig {
  quick: boolean;
  /** Measured trials per variant (A B A B …), after `warmups` unmeasured ones. */
  trials: number;
  warmups: number;
  echo: { count32: number; count1k: number; count64k: number; count1m: number; maxMs: number };
  roundTrip: { count: number; maxMs: number };
  multi: { connections: number; inFlight: number; count: number; maxMs: number };
  broadcast: { clients: number; messages: number; burst: number };
  handshakes: { parallel: number; count: number; maxMs: number };
  idle: { connections: number; trials: number };
  storm: { clients: number; downMs: number; trials: number };
  micro: { messages: number; trials: number };
  /** Request/reply round trips, and streamed replies of `streamValues` values. */
  requests: { count: number; inFlight: number; streams: number; streamValues: number; maxMs: number };
}

export const FULL: BenchConfig = {
  quick: false,
  trials: 7,
  warmups: 1,
  echo: { count32: 100_000, count1k: 100_000, count64k: 12_000, count1m: 1_000, maxMs: 2_000 },
  roundTrip: { count: 15_000, maxMs: 2_000 },
  multi: { connections: 100, inFlight: 10, count: 100_000, maxMs: 2_000 },
  broadcast: { clients: 1_000, messages: 200, burst: 10 },
  handshakes: { parallel: 50, count: 3_000, maxMs: 2_000 },
  idle: { connections: 10_000, trials: 3 },
  storm: { clients: 1_000, downMs: 1_000, trials: 3 },
  micro: { messages: 200_000, trials: 5 },
  requests: { count: 50_000, inFlight: 100, streams: 200, streamValues: 1_000, maxMs: 2_000 },
};

export const QUICK: BenchConfig = {
  quick: true,
  trials: 1,
  warmups: 0,
  echo: { count32: 2_000, count1k: 2_000, count64k: 200, count1m: 10, maxMs: 1_000 },
  roundTrip: { count: 200, maxMs: 1_000 },
  multi: { connections: 10, inFlight: 10, count: 2_000, maxMs: 1_000 },
  broadcast: { clients: 20, messages: 20, burst: 10 },
  handshakes: { parallel: 10, count: 50, maxMs: 1_000 },
  idle: { connections: 100, trials: 1 },
  storm: { clients: 20, downMs: 100, trials: 1 },
  micro: { messages: 5_000, trials: 1 },
  requests: { count: 500, inFlight: 10, streams: 5, streamValues: 1_000, maxMs: 1_000 },
};

/** Open files a host needs for `connections` sockets, with room for everything else. */
export function openFilesFor(connections: number): number {
  return connections + 512;
}
