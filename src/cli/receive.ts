import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { connect, type SocketHandle, type WebSocketEvent } from '../index';
import { addClientFlags, clientProxy, clientTls, DEFAULT_URL, parseCount, parsePositive, withSnakeCaseAliases, type CommonFlags } from './common';
import { CliError } from './errors';
import { IncomingFiles, type FileOutcome } from './incoming-files';
import { interrupted } from './lifetime';
import { Output } from './output';
import { byteProgress, progressEnabled, type Progress } from './progress';
import { decodeChunk, parseTransferMessage } from './transfer-protocol';

interface ReceiveFlags extends CommonFlags {
  dir: string;
  count: number;
  idleTimeout: number;
}

/** Receives files until `count` have been handled (0 = until Ctrl-C); rejects on the first bad one at the end. */
function receiveFiles(url: string, flags: ReceiveFlags, out: Output): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  let progress: Progress | undefined;
  const files = new IncomingFiles(flags.dir, (name, received, size) => {
    progress ??= byteProgress(`receive ${name}`, progressEnabled(flags));
    progress.update(received, size);
  });
  return new Promise<FileOutcome[]>((resolve, reject) => {
    let socket: SocketHandle | undefined;
    let idle: NodeJS.Timeout | undefined;
    const signal = interrupted();
    const finish = (): void => {
      clearTimeout(idle);
      signal.dispose();
      subscription.unsubscribe();
      resolve(outcomes);
    };
    const settle = (id: string, outcome: FileOutcome | undefined): void => {
      if (!outcome) return;
      progress?.stop();
      progress = undefined;
      socket?.send(JSON.stringify(IncomingFiles.ack(id, outcome)));
      outcomes.push(outcome);
      if (outcome.ok) out.event('received', 'green', `${outcome.path} (${outcome.size} bytes, sha256 ${outcome.sha256})`, { ...outcome });
      else out.event('rejected', 'red', `${outcome.name}: ${outcome.reason}`, { ...outcome });
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
        const chunk = decodeChunk(event.data);
        if (chunk) settle(chunk.id, files.chunk(chunk));
      } else if (event.type === 'message') {
        const message = parseTransferMessage(event.data);
        if (message?.kind === 'file') settle(message.id, files.begin(message));
        if (message?.kind === 'file-end') settle(message.id, files.end(message));
      }
      armIdleTimer();
    };
    const subscription = connect(url, { tls: clientTls(flags), proxy: clientProxy(flags) }).subscribe({
      next: onEvent,
      error: (err) => {
        abort('connection failed');
        clearTimeout(idle);
        signal.dispose();
        reject(err);
      },
      complete: () => {
        abort('connection closed before the file was complete');
        finish();
      },
    });
    void signal.promise.then(() => {
      abort('interrupted');
      finish();
    });
  });
}

async function receive(url: string, flags: ReceiveFlags): Promise<void> {
  mkdirSync(flags.dir, { recursive: true });
  const out = new Output({ json: flags.json });
  const outcomes = await receiveFiles(url, flags, out);
  const failed = outcomes.find((o): o is Extract<FileOutcome, { ok: false }> => !o.ok);
  if (failed) throw new CliError(`${failed.name}: ${failed.reason}`);
  if (flags.count > 0 && outcomes.length < flags.count) throw new CliError(`connection closed after ${outcomes.length} of ${flags.count} files`);
}

/** `rxws receive [url]`: saves files sent through a transfer server, verified by SHA-256. */
export function registerReceive(program: Command): void {
  const cmd = program
    .command('receive')
    .description('receive files through a transfer server: verified by size and SHA-256, written atomically, acknowledged')
    .argument('[url]', 'transfer server URL', DEFAULT_URL)
    .option('--dir <dir>', 'folder to save files in', '.')
    .option('-n, --count <n>', 'exit after N files (0 = until Ctrl-C)', parseCount, 1)
    .option('--idle-timeout <seconds>', 'give up on a file when no data came for this long', parsePositive, 30);
  addClientFlags(cmd);
  withSnakeCaseAliases(cmd).action((url: string, flags: ReceiveFlags) => receive(url, flags));
}
