import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import type { WebSocketEvent } from '../index';
import { addClientFlags, clientProxy, clientTls, collect, DEFAULT_URL, parseCount, parseHeaders, parsePositive, withSnakeCaseAliases, type CommonFlags } from './common';
import { ClientSession, runOnLines, runOnStdinLines } from './client-session';
import { stdinByteLines$ } from './lifetime';
import { printEvent, printSummary } from './events';
import { ExitCode, toCliError } from './errors';
import { addIxFlags, type IxFlags } from './ix-flags';
import { Output } from './output';

interface ConnectFlags extends CommonFlags, IxFlags {
  decompressGzip?: boolean;
  header?: string[];
  disableAutomaticReconnection?: boolean;
  disablePerMessageDeflate?: boolean;
  binary?: boolean;
  maxWait?: number;
  pingInterval: number;
  subprotocol?: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `-g`: a gzip message as what it holds (text when it is UTF-8); one that does not inflate is printed as it came, after an error line. */
function gunzipped(event: WebSocketEvent, out: Output): WebSocketEvent {
  if (event.type !== 'message' || !event.binary) return event;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(gunzipSync(event.data));
  } catch (err) {
    out.event('gunzip-error', 'red', `a binary message is not gzip data: ${(err as Error).message}`, { reason: (err as Error).message });
    return event;
  }
  try {
    return { ...event, binary: false, data: utf8.decode(bytes) };
  } catch {
    return { ...event, data: bytes };
  }
}

/** Default ping interval of `connect`, in seconds, as in IXWebSocket's ws tool. */
const DEFAULT_PING_INTERVAL_S = 30;

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
    onEvent: (event) => printEvent(out, flags.decompressGzip ? gunzipped(event, out) : event),
  });
  const command = (line: string): boolean => {
    if (line === '/stop') {
      session.stop();
      out.event('stopped', 'yellow', 'type /start to connect again', {});
    } else if (line === '/start') {
      session.start();
    } else return false;
    return true;
  };
  // Binary mode sends each line's bytes as they are (IXWebSocket's -b): no UTF-8 decoding, a \r stays.
  const onBytes = (line: Uint8Array): void => {
    if (line.byteLength > 6 || !command(Buffer.from(line).toString('latin1'))) session.send(line);
  };
  const onLine = (line: string): void => {
    if (!command(line)) session.send(line);
  };
  try {
    await (flags.binary ? runOnLines(session, stdinByteLines$(), onBytes) : runOnStdinLines(session, onLine));
  } catch (err) {
    const failure = toCliError(err);
    // A bad command line is not a session: no summary. A failed connection is one, in --json too.
    if (failure.exitCode === ExitCode.usage) throw failure;
    if (flags.json) out.event('error', 'red', failure.message, { reason: failure.message, httpStatus: (err as { httpStatus?: number }).httpStatus });
    printSummary(out, session.sentBytes, session.receivedBytes);
    throw failure;
  }
  printSummary(out, session.sentBytes, session.receivedBytes);
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
    .option('--max-wait <ms>', 'longest wait between reconnection tries (default: 10000)', parsePositive)
    .option('--ping-interval <seconds>', 'ping every N seconds (0 = never)', parseCount, DEFAULT_PING_INTERVAL_S)
    .option('--subprotocol <name>', 'subprotocol to offer (repeatable)', collect)
    .option('-g, --decompress-gzip', 'print binary messages gunzipped (text when they hold UTF-8)');
  addClientFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((url: string, flags: ConnectFlags) => connectCommand(url, flags));
}
