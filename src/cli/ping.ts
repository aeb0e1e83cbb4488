import type { Command } from 'commander';
import { addClientFlags, clientProxy, clientTls, DEFAULT_URL, withSnakeCaseAliases, type CommonFlags } from './common';
import { ClientSession, runOnStdinLines } from './client-session';
import { printEvent, printSummary } from './events';
import { addIxFlags } from './ix-flags';
import { Output } from './output';

/** `rxws ping [url]`: each stdin line is sent as a ping (at most 125 bytes); pongs are printed. */
export function registerPing(program: Command): void {
  const cmd = program
    .command('ping')
    .description('send each stdin line as a ping frame (at most 125 bytes) and print the pongs')
    .argument('[url]', 'ws:// or wss:// URL', DEFAULT_URL);
  addClientFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action(async (url: string, flags: CommonFlags) => {
    const out = new Output({ json: flags.json });
    const session = new ClientSession({ url, connectOptions: { tls: clientTls(flags), proxy: clientProxy(flags) }, reconnect: false, onEvent: (e) => printEvent(out, e) });
    const onLine = (line: string): void => {
      if (Buffer.byteLength(line) > 125) out.event('skipped', 'red', 'a ping carries at most 125 bytes (RFC 6455 §5.5)', { reason: 'too long' });
      else session.ping(line);
    };
    try {
      await runOnStdinLines(session, onLine);
    } finally {
      printSummary(out, session.sentBytes, session.receivedBytes);
    }
  });
}
