import type { Command } from 'commander';
import { identity } from 'rxjs';
import { connect, keepAlive } from '../index';
import { addClientFlags, clientProxy, clientTls, collect, DEFAULT_URL, parseCount, withSnakeCaseAliases, type CommonFlags } from './common';
import { CliError } from './errors';
import { addIxFlags } from './ix-flags';
import { Output } from './output';

interface AutorouteFlags extends CommonFlags {
  msgCount: number;
  disablePerMessageDeflate?: boolean;
  pingInterval: number;
  subprotocol?: string[];
}

/** `rxws autoroute [url]`: counts messages from a push server and prints the rate. */
export function registerAutoroute(program: Command): void {
  const cmd = program
    .command('autoroute')
    .description('client benchmark: receive N messages from a push server (URL/N) and print messages per second')
    .argument('[url]', 'push server URL', DEFAULT_URL)
    .option('-n, --msg-count <n>', 'messages to receive (appended to the URL path as /N)', parseCount, 1000)
    .option('-x, --disable-per-message-deflate', 'do not offer permessage-deflate')
    .option('--ping-interval <seconds>', 'ping every N seconds while receiving (0 = never)', parseCount, 0)
    .option('--subprotocol <name>', 'subprotocol to offer (repeatable)', collect);
  addClientFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action(async (url: string, flags: AutorouteFlags) => {
    const out = new Output({ json: flags.json });
    const target = `${url.replace(/\/+$/, '')}/${flags.msgCount}`;
    let received = 0;
    let startedAt = 0;
    await new Promise<void>((resolve, reject) => {
      const options = { tls: clientTls(flags), proxy: clientProxy(flags), perMessageDeflate: !flags.disablePerMessageDeflate, protocols: flags.subprotocol };
      const subscription = connect(target, options)
        .pipe(flags.pingInterval > 0 ? keepAlive({ intervalMs: flags.pingInterval * 1000 }) : identity)
        .subscribe({
        next: (event) => {
          if (event.type === 'open') startedAt = performance.now();
          if (event.type === 'message' && ++received === flags.msgCount) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
        complete: () => reject(new CliError(`connection closed after ${received} of ${flags.msgCount} messages`)),
      });
    });
    const elapsedMs = Math.max(performance.now() - startedAt, 0.001);
    const perSecond = Math.round((received * 1000) / elapsedMs);
    out.event('done', 'green', `${received} messages in ${elapsedMs.toFixed(1)} ms (${perSecond} msg/s)`, { messages: received, elapsedMs, perSecond });
  });
}
