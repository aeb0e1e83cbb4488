import type { Command } from 'commander';
import { addServerFlags, withSnakeCaseAliases, type ServerFlags } from './common';
import { addIxFlags } from './ix-flags';
import { runServer } from './server-runner';

/** A relay queues up to this much per client, so a file transfer burst does not trip the slow-client limit. */
const RELAY_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

function registerRelay(program: Command, name: string, alias: string | undefined, description: string): void {
  const cmd = program.command(name).description(description);
  if (alias) cmd.alias(alias);
  addServerFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((flags: ServerFlags) =>
    runServer(flags, {
      options: { maxBufferedAmount: RELAY_MAX_BUFFERED_BYTES },
      onConnection: (connection, server) => {
        connection.messages$.subscribe((message) => server.broadcast(message.data, (other) => other !== connection));
      },
    }),
  );
}

/** `rxws broadcast-server` and `rxws transfer`: relay each message to every other client. */
export function registerBroadcastServer(program: Command): void {
  registerRelay(program, 'broadcast-server', 'broadcast_server', 'relay each message to every other client (chat)');
  registerRelay(program, 'transfer', undefined, 'relay server for `rxws send` / `rxws receive` (each message goes to every other client)');
}
