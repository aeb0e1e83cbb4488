import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Subscription } from 'rxjs';
import { connect, type SocketHandle, type WebSocketEvent } from '../index';
import { addClientFlags, clientProxy, clientTls, parsePositive, withSnakeCaseAliases, type CommonFlags } from './common';
import { CliError, ExitCode } from './errors';
import { addIxFlags } from './ix-flags';
import { interrupted } from './lifetime';
import { Output } from './output';
import { djb2, encodePdu, parsePdu, pduText } from './ix-pdu';
import { byteProgress, progressEnabled } from './progress';
import { CHUNK_BYTES, encodeChunk, newTransferId, parseTransferMessage, type FileHeader } from './transfer-protocol';

/** `--format`: IXWebSocket's one-message PDU, rxws's chunked stream, or chosen by size. */
export type SendFormat = 'auto' | 'ix' | 'chunked';

interface SendFlags extends CommonFlags {
  name?: string;
  ackTimeout: number;
  format: SendFormat;
  disablePerMessageDeflate?: boolean;
}

/** With `--format auto`, files up to this size go as one IXWebSocket PDU, which every receiver reads. */
const AUTO_PDU_MAX_BYTES = 16 * 1024 * 1024;

/** The wire format a file of `size` bytes is sent in. */
function chooseFormat(format: SendFormat, size: number): 'ix' | 'chunked' {
  if (format !== 'auto') return format;
  return size <= AUTO_PDU_MAX_BYTES ? 'ix' : 'chunked';
}

function parseFormat(value: string): SendFormat {
  if (value === 'auto' || value === 'ix' || value === 'chunked') return value;
  throw new InvalidArgumentError("expected auto, ix or chunked.");
}

/** What a receiver's answer says about our file: acknowledged, refused, or not about it. */
type Verdict = { ok: true } | { ok: false; reason: string } | undefined;

/** Reads an answer in either format: rxws's `file-ack` text, or IXWebSocket's `ack` / `kind error` PDU. */
function verdictOf(event: Extract<WebSocketEvent, { type: 'message' }>, id: string): Verdict {
  if (!event.binary) {
    const message = parseTransferMessage(event.data);
    if (message?.kind !== 'file-ack' || message.id !== id) return undefined;
    return message.ok ? { ok: true } : { ok: false, reason: message.reason ?? 'no reason given' };
  }
  const pdu = parsePdu(event.data);
  if (!pdu) return undefined;
  const pduId = pduText(pdu, 'id');
  if (pduText(pdu, 'ack') === 'true' && pduId === id) return { ok: true };
  // IXWebSocket's receiver sends some errors ("Invalid pdu", "Hash mismatch.") without an id.
  if (pduText(pdu, 'kind') === 'error' && (pduId === id || pduId === '')) {
    const message = pduText(pdu, 'message') || 'no reason given';
    return { ok: false, reason: /invalid pdu/i.test(message) ? `${message} (an IXWebSocket receiver reads only whole-file PDUs: send with --format ix)` : message };
  }
  return undefined;
}

/** Pause sending while this much is queued on the socket, so a big file never sits in memory. */
const HIGH_WATER_BYTES = 1024 * 1024;

function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

const drained = (socket: SocketHandle): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => void (socket.bufferedAmount < HIGH_WATER_BYTES || socket.readyState !== 1 ? resolve() : setTimeout(check, 2));
    check();
  });

/** Streams the file: header, chunks (respecting backpressure), end. Returns the chunk count. */
async function stream(socket: SocketHandle, file: string, header: FileHeader, onSent: (bytes: number) => void): Promise<void> {
  socket.send(JSON.stringify(header));
  const fd = openSync(file, 'r');
  let index = 0;
  let sent = 0;
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      if (!socket.send(encodeChunk(header.id, index++, buffer.subarray(0, n)))) throw new CliError('connection closed while sending');
      sent += n;
      onSent(sent);
      await drained(socket);
    }
  } finally {
    closeSync(fd);
  }
  socket.send(JSON.stringify({ kind: 'file-end', id: header.id, chunks: index }));
}

/** Sends the whole file as one IXWebSocket `send` PDU (`kind`, `id`, `filename`, `content`, `djb2_hash`). */
function sendPdu(socket: SocketHandle, file: string, header: FileHeader): void {
  const content = readFileSync(file);
  if (!socket.send(encodePdu({ kind: 'send', id: header.id, filename: header.name, content, djb2_hash: djb2(content) }))) {
    throw new CliError('connection closed while sending');
  }
}

async function send(url: string, file: string, flags: SendFlags): Promise<void> {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot send ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`, ExitCode.usage);
  }
  if (!stat.isFile()) throw new CliError(`${file} is not a regular file`, ExitCode.usage);
  const format = chooseFormat(flags.format, stat.size);
  const header: FileHeader = { kind: 'file', id: newTransferId(), name: flags.name ?? path.basename(file), size: stat.size, sha256: sha256File(file), chunkSize: CHUNK_BYTES };
  const out = new Output({ json: flags.json });
  const progress = byteProgress(`send ${header.name}`, progressEnabled(flags));
  const signal = interrupted();
  let ackTimer: NodeJS.Timeout | undefined;
  let subscription: Subscription | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const onEvent = (event: WebSocketEvent): void => {
        if (event.type === 'open') {
          const sent = format === 'ix' ? Promise.resolve().then(() => sendPdu(event.socket, file, header)) : stream(event.socket, file, header, (bytes) => progress.update(bytes, header.size));
          sent
            .then(() => {
              progress.stop();
              out.event('sent', 'green', `${header.name} (${header.size} bytes, sha256 ${header.sha256}), waiting for an acknowledgement`, { name: header.name, size: header.size, sha256: header.sha256 });
              ackTimer = setTimeout(() => reject(new CliError(`no receiver acknowledged ${header.name} within ${flags.ackTimeout} s`)), flags.ackTimeout * 1000);
            })
            .catch(reject);
        } else if (event.type === 'message') {
          const verdict = verdictOf(event, header.id);
          if (!verdict) return;
          if (!verdict.ok) return reject(new CliError(`receiver rejected ${header.name}: ${verdict.reason}`));
          out.event('acknowledged', 'green', `${header.name} verified by the receiver`, { name: header.name });
          resolve();
        } else if (event.type === 'close') {
          reject(new CliError(`connection closed before ${header.name} was acknowledged (${event.code}${event.reason ? ' ' + event.reason : ''})`));
        }
      };
      subscription = connect(url, { tls: clientTls(flags), proxy: clientProxy(flags), perMessageDeflate: !flags.disablePerMessageDeflate }).subscribe({ next: onEvent, error: reject });
      void signal.promise.then(() => reject(new CliError('interrupted')));
    });
  } finally {
    subscription?.unsubscribe(); // closes the connection (1000) however it ended
    clearTimeout(ackTimer);
    progress.stop();
    signal.dispose();
  }
}

/** `rxws send <url> <file>`: sends a file through a transfer server and waits for a receiver's acknowledgement. */
export function registerSend(program: Command): void {
  const cmd = program
    .command('send')
    .description('send a file through a transfer server; exits 0 once a receiver verified it')
    .argument('<url>', 'transfer server URL (e.g. ws://127.0.0.1:8008)')
    .argument('<file>', 'file to send')
    .option('--name <name>', 'file name announced to receivers (default: the base name)')
    .option('--ack-timeout <seconds>', 'how long to wait for a receiver to acknowledge', parsePositive, 30)
    .option('--format <format>', `ix: one IXWebSocket PDU (any receiver); chunked: rxws's stream with progress (rxws receivers); auto: ix up to ${AUTO_PDU_MAX_BYTES / 1024 / 1024} MiB`, parseFormat, 'auto')
    .option('-x, --disable-per-message-deflate', 'do not offer permessage-deflate');
  addClientFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((url: string, file: string, flags: SendFlags) => send(url, file, flags));
}
