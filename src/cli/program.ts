import { Command } from 'commander';
import { registerAutobahn } from './autobahn';
import { registerAutoroute } from './autoroute';
import { registerBroadcastServer } from './broadcast-server';
import { registerChat } from './chat';
import { registerConnect } from './connect';
import { registerDnslookup } from './dnslookup';
import { registerCurl } from './curl';
import { registerEchoServer } from './echo-server';
import { registerGencert } from './gencert';
import { registerGzip } from './gzip';
import { registerHttpd } from './httpd';
import { appendingStream } from './ix-flags';
import { setDefaultOutputStream } from './output';
import { registerPing } from './ping';
import { registerProxyServer } from './proxy-server';
import { registerPushServer } from './push-server';
import { registerReceive } from './receive';
import { registerSend } from './send';
import { version } from '../../package.json';

/** commander's message as the tool's one line: `rxws: unknown option '--x' (did you mean --y?)`. */
function commanderLine(text: string): string {
  const joined = text.replace(/^error: /, '').split('\n').map((s) => s.trim()).filter(Boolean).join(' ');
  return `rxws: ${joined}\n`;
}

/** The `rxws` program with every subcommand; errors are thrown, never printed-and-exited. */
export function buildProgram(): Command {
  const program = new Command('rxws')
    .description('Reactive WebSocket toolkit: clients, servers, file transfer, an HTTP client and certificates')
    .version(version)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(commanderLine(text)) })
    // IXWebSocket takes --logfile before the command too (`ws --logfile FILE connect URL`).
    .option('--logfile <file>', 'print events to FILE instead of stdout')
    .hook('preAction', (root) => {
      const { logfile } = root.opts<{ logfile?: string }>();
      if (logfile) setDefaultOutputStream(appendingStream(logfile));
    });
  for (const register of [
    registerConnect,
    registerChat,
    registerEchoServer,
    registerPushServer,
    registerBroadcastServer,
    registerSend,
    registerReceive,
    registerPing,
    registerAutoroute,
    registerCurl,
    registerHttpd,
    registerProxyServer,
    registerGencert,
    registerAutobahn,
    registerDnslookup,
    registerGzip,
  ]) register(program);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ outputError: (text, write) => write(commanderLine(text)) });
  return program;
}
