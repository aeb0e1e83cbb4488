import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { connect, type SocketHandle, type WebSocketEvent } from '../index';
import { addClientFlags, clientProxy, clientTls, DEFAULT_URL, parseCount, parsePositive, withSnakeCaseAliases, type CommonFlags } from './common';
import { CliError } from './errors';
import { IncomingFiles, type FileOutcome } from './incoming-files';
import { addIxFlags } from './ix-flags';
import { encodePdu, parsePdu, pduText, type Pdu } from './ix-pdu';
import { interrupted } from './lifetime';
import { escapeControls, Output } from './output';
import { byteProgress, progressEnabled, type Progress } from './progress';
import { decodeChunk, parseTransferMessage } from './transfer-protocol';

interface ReceiveFlags extends CommonFlags {
  dir: string;
  count: number;
  idleTimeout: number;
  overwrite?: boolean;
  delay?: number;
}

/** Largest message `receive` takes: an IXWebSocket PDU carries a file hex-encoded in one message. */
const RECEIVE_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** When a PDU reply is sent again (see `repeatReply`). */
const IX_REPLY_REPEAT_MS = 1000;

/** An IXWebSocket `send` PDU (`kind send`); acks, errors and chat PDUs from other peers are not. */
function isSendPdu(pdu: Pdu): boolean {
  return pduText(pdu, 'kind') === 'send' && pdu.has('content');
}

/** The reply IXWebSocket's `receive` gives: an `ack` PDU, or a `kind error` PDU with a message. */
function pduReply(id: string, filename: string, outcome: FileOutcome): Uint8Array {
  return outcome.ok ? encodePdu({ ack: 'true', id, filename }) : encodePdu({ kind: 'error', id, message: `${outcome.name}: ${outcome.reason}` });
}

/** What a receive session ended with; `interrupted` after Ctrl-C / SIGTERM. */
interface Received {
  outcomes: FileOutcome[];
  interrupted: boolean;
}

/** Receives files until `count` have been handled (0 = until Ctrl-C). */
function receiveFiles(url: string, flags: ReceiveFlags, out: Output): Promise<Received> {
  const outcomes: FileOutcome[] = [];
  let progress: Progress | undefined;
  const files = new IncomingFiles(flags.dir, {
    overwrite: flags.overwrite,
    onProgress: (name, received, size) => {
      // The bar is drawn on a terminal: the peer's file name is shown escaped there.
      progress ??= byteProgress(`receive ${escapeControls(name)}`, progressEnabled(flags));
      progress.update(received, size);
    },
  });
  let wasInterrupted = false;
  return new Promise<Received>((resolve, reject) => {
    let socket: SocketHandle | undefined;
    let idle: NodeJS.Timeout | undefined;
    let repeat: NodeJS.Timeout | undefined;
    let finishAfterRepeat = false;
    const signal = interrupted();
    const finishNow = (): void => {
      // Files still coming when receive is done are refused, and their temporary files removed.
      for (const { id, outcome } of files.abortAll('the receiver stopped: it had received --count files')) socket?.send(JSON.stringify(IncomingFiles.ack(id, outcome)));
      clearTimeout(idle);
      clearTimeout(repeat);
      signal.dispose();
      subscription.unsubscribe();
      resolve({ outcomes, interrupted: wasInterrupted });
    };
    // Done: at once, or once a pending PDU reply has been repeated.
    const finish = (): void => {
      if (repeat) finishAfterRepeat = true;
      else finishNow();
    };
    // IXWebSocket's `send` starts waiting for the reply only ~500 ms after its last byte and misses
    // a reply that came earlier, so a PDU reply is sent once more a second later.
    const repeatReply = (reply: Uint8Array): void => {
      clearTimeout(repeat);
      repeat = setTimeout(() => {
        repeat = undefined;
        socket?.send(reply);
        if (finishAfterRepeat) finishNow();
      }, IX_REPLY_REPEAT_MS);
    };
    const settle = (id: string, outcome: FileOutcome | undefined, reply?: Uint8Array): void => {
      if (!outcome) return;
      progress?.stop();
      progress = undefined;
      socket?.send(reply ?? JSON.stringify(IncomingFiles.ack(id, outcome)));
      outcomes.push(outcome);
      if (outcome.ok) out.event('received', 'green', `${out.safe(outcome.path)} (${outcome.size} bytes, sha256 ${outcome.sha256})`, { ...outcome });
      else out.event('rejected', 'red', out.safe(`${outcome.name}: ${outcome.reason}`), { ...outcome });
      if (flags.count > 0 && outcomes.length >= flags.count) finish();
    };
    const abort = (reason: string): void => {
      for (const { id, outcome } of files.abortAll(reason)) settle(id, outcome);
    };
    const armIdleTimer = (): void => {
      clearTimeout(idle);
      if (files.inProgress > 0) idle = setTimeout(() => abort(`interrupted: no data for ${flags.idleTimeout} s`), flags.idleTimeout * 1000);
    };
    const onEvent = (event: WebSocketEvent): void => {
      if (event.type === 'open') {
        socket = event.socket;
        out.event('ready', 'green', `connected to ${event.url}, saving files in ${flags.dir}`, { url: event.url, dir: flags.dir });
      } else if (event.type === 'message' && event.binary) {
        const pdu = parsePdu(event.data);
        if (pdu && isSendPdu(pdu)) {
          const id = pduText(pdu, 'id');
          const filename = pduText(pdu, 'filename');
          const outcome = files.whole(filename, pdu.get('content') ?? new Uint8Array(0), pduText(pdu, 'djb2_hash'));
          const reply = pduReply(id, filename, outcome);
          repeatReply(reply);
          settle(id, outcome, reply);
        } else if (!pdu) {
          const chunk = decodeChunk(event.data);
          if (chunk) settle(chunk.id, files.chunk(chunk));
        }
      } else if (event.type === 'message') {
        const message = parseTransferMessage(event.data);
        if (message?.kind === 'file') settle(message.id, files.begin(message));
        if (message?.kind === 'file-end') settle(message.id, files.end(message));
      }
      armIdleTimer();
    };
    const subscription = connect(url, { tls: clientTls(flags), proxy: clientProxy(flags), maxPayload: RECEIVE_MAX_PAYLOAD_BYTES }).subscribe({
      next: onEvent,
      error: (err) => {
        abort('connection failed');
        clearTimeout(idle);
        clearTimeout(repeat);
        signal.dispose();
        reject(err);
      },
      complete: () => {
        abort('connection closed before the file was complete');
        finishNow();
      },
    });
    void signal.promise.then(() => {
      wasInterrupted = true;
      abort('interrupted');
      finishNow();
    });
  });
}

async function receive(url: string, flags: ReceiveFlags): Promise<void> {
  mkdirSync(flags.dir, { recursive: true });
  const out = new Output({ json: flags.json });
  const { outcomes, interrupted } = await receiveFiles(url, flags, out);
  const failed = outcomes.find((o): o is Extract<FileOutcome, { ok: false }> => !o.ok);
  if (failed) throw new CliError(`${failed.name}: ${failed.reason}`);
  // Ctrl-C between files is the normal way to stop `receive -n 0` (or to give up waiting).
  if (!interrupted && flags.count > 0 && outcomes.length < flags.count) throw new CliError(`connection closed after ${outcomes.length} of ${flags.count} files`);
}

/** `rxws receive [url]`: saves files sent through a transfer server, verified by SHA-256. */
export function registerReceive(program: Command): void {
  const cmd = program
    .command('receive')
    .description('receive files through a transfer server: verified by size and SHA-256, written atomically, acknowledged')
    .argument('[url]', 'transfer server URL', DEFAULT_URL)
    .option('--dir <dir>', 'folder to save files in', '.')
    .option('-n, --count <n>', 'exit after N files (0 = until Ctrl-C)', parseCount, 1)
    .option('--idle-timeout <seconds>', 'give up on a file when no data came for this long', parsePositive, 30)
    .option('--overwrite', 'replace an existing file of the same name (default: refuse it and tell the sender)')
    .option('-x, --disable-per-message-deflate', 'do not offer permessage-deflate (the default for receive, as in IXWebSocket)')
    .option('--delay <ms>', "IXWebSocket's slow-receiver switch for its own tests; accepted, has no effect", Number);
  addClientFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((url: string, flags: ReceiveFlags) => receive(url, flags));
}
