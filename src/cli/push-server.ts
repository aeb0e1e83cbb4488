import type { Command } from 'commander';
import type { ServerConnection } from '../server/index';
import { addServerFlags, parseCount, withSnakeCaseAliases, type ServerFlags } from './common';
import { addIxFlags, type IxFlags } from './ix-flags';
import { runServer } from './server-runner';

interface PushFlags extends ServerFlags, IxFlags {
  message: string;
  sendMsg?: string;
  disablePong?: boolean;
  count: number;
}

/** Pause while this much is queued for a client: a throughput test must not trip the slow-client limit. */
const HIGH_WATER_BYTES = 1024 * 1024;

/** The message count a client asks for with its path (`/1000`), else the default. */
function requestedCount(url: string, fallback: number): number {
  const match = /^\/(\d+)(?:[/?#]|$)/.exec(url);
  return match ? Number(match[1]) : fallback;
}

function push(connection: ServerConnection, message: string, count: number): void {
  let sent = 0;
  const burst = (): void => {
    while (sent < count && connection.readyState === 1) {
      if (connection.bufferedAmount > HIGH_WATER_BYTES) return void setTimeout(burst, 1);
      connection.send(message);
      sent += 1;
    }
    if (connection.readyState === 1) connection.close(1000, `sent ${sent} messages`);
  };
  burst();
}

/** `rxws push-server`: on connect, sends a message N times (N from the path, `/N`), then closes. */
export function registerPushServer(program: Command): void {
  const cmd = program
    .command('push-server')
    .alias('push_server')
    .description('throughput test: on connect, send a message N times (N from the path /N, else --count), then close')
    .option('--message <text>', 'the message to push', 'hello world')
    .option('--send-msg <text>', "IXWebSocket's name for --message")
    .option('-n, --count <n>', 'messages per connection when the path names none', parseCount, 1000)
    .option('-p, --disable-pong', "do not answer pings (IXWebSocket's -p; the port is --port)");
  addServerFlags(cmd, { shortPort: false });
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((flags: PushFlags) =>
    runServer(flags, {
      options: { autoPong: !flags.disablePong },
      onConnection: (connection) => push(connection, flags.sendMsg ?? flags.message, requestedCount(connection.request.url, flags.count)),
    }),
  );
}
