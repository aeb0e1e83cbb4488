// The micro-benchmark process (started with --expose-gc and a large young generation).
import { serveCommands } from '../lib/host-child';
import { consumedTotal, micro, type MicroParams } from '../workloads/micro';

serveCommands({
  micro: async (args) => ({ ...(await micro(args as unknown as MicroParams)), consumed: consumedTotal() }),
});
