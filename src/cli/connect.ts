import type { Command } from 'commander';
import { addClientFlags, clientProxy, clientTls, collect, DEFAULT_URL, parseHeaders, parsePositive, withSnakeCaseAliases, type CommonFlags } from './common';
import { ClientSession, runOnStdinLines } from './client-session';
import { printEvent, printSummary } from './events';
import { Output } from './output';

interface ConnectFlags extends CommonFlags {
  header?: string[];
  disableAutomaticReconnection?: boolean;
  disablePerMessageDeflate?: boolean;
  binary?: boolean;
  maxWait?: number;
  pingInterval: number;
  subprotocol?: string[];
}

/** Default ping interval of `connect`, in seconds, as in IXWebSocket's ws tool. */
export const DEFAULT_PING_INTERVAL_S = 30;

async function connectCommand(url: string, flags: ConnectFlags): Promise<void> {
  const out = new Output({ json: flags.json });
  const session = new ClientSession({
    url,
    connectOptions: {
      headers: parseHeaders(flags.header),
      protocols: flags.subprotocol,
      perMessageDeflate: !flags.disablePerMessageDeflate,
      tls: clientTls(flags),
      proxy: clientProxy(flags),
    },
    reconnect: !flags.disableAutomaticReconnection,
    maxWaitMs: flags.maxWait,
    pingIntervalMs: flags.pingInterval > 0 ? flags.pingInterval * 1000 : undefined,
    onEvent: (event) => printEvent(out, event),
  });
  const onLine = (line: string): void => {
    if (line === '/stop') {
      session.stop();
      out.event('stopped', 'yellow', 'type /start to connect again', {});
    } else if (line === '/start') {
      session.start();
    } else {
      session.send(flags.binary ? new TextEncoder().encode(line) : line);
    }
  };
  try {
    await runOnStdinLines(session, onLine);
  } finally {
    printSummary(out, session.sentBytes, session.receivedBytes);
  }
}

/** `rxws connect [url]`: an interactive client; each stdin line is sent. */
export function registerConnect(program: Command): void {
  const cmd = program
    .command('connect')
    .description('interactive client: each stdin line is sent, events are printed; /stop and /start toggle the connection')
    .argument('[url]', 'ws:// or wss:// URL', DEFAULT_URL)
    .option('-H, --header <header>', "handshake header 'Name: value' (repeatable)", collect)
    .option('-d, --disable-automatic-reconnection', 'exit with the reason when the connection fails or drops')
    .option('-x, --disable-per-message-deflate', 'do not offer permessage-deflate')
    .option('-b, --binary', 'send each line as a binary message')
    .option('--max-wait <ms>', 'longest wait between reconnection tries (default 10000)', parsePositive)
    .option('--ping-interval <seconds>', 'ping every N seconds (0 = never)', Number, DEFAULT_PING_INTERVAL_S)
    .option('--subprotocol <name>', 'subprotocol to offer (repeatable)', collect);
  addClientFlags(cmd);
  withSnakeCaseAliases(cmd).action((url: string, flags: ConnectFlags) => connectCommand(url, flags));
}
