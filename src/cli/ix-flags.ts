import { closeSync, openSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { setDefaultOutputStream } from './output';

/** The IXWebSocket flags a command takes that change no behaviour of its own (see `addIxFlags`). */
export interface IxFlags {
  pidfile?: string;
  logfile?: string;
}

/** A stream that appends each write to `file` at once (synchronously), so nothing waits at exit. */
export function appendingStream(file: string): NodeJS.WritableStream {
  const fd = openSync(file, 'a');
  process.once('exit', () => closeSync(fd));
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeSync(fd, chunk);
      done();
    },
  });
}

/**
 * Adds the flags IXWebSocket's `ws` takes on every command (in its spelling), so its command lines
 * run unchanged: `--pidfile FILE` (writes the process id; removed at exit), `--logfile FILE`
 * (event lines go there instead of stdout), and on clients `--tls`, which IXWebSocket documents
 * as "server only": the URL's `wss://` decides, so it is accepted and changes nothing.
 */
export function addIxFlags(cmd: Command): Command {
  cmd.option('--pidfile <file>', 'write the process id to FILE (removed at exit)').option('--logfile <file>', 'print events to FILE instead of stdout');
  if (!cmd.options.some((o) => o.long === '--tls')) cmd.option('--tls', 'accepted for IXWebSocket command lines; on a client the wss:// URL turns TLS on');
  cmd.hook('preAction', (_program, action) => {
    const { pidfile, logfile } = action.opts<IxFlags>();
    if (pidfile) {
      writeFileSync(pidfile, String(process.pid));
      process.once('exit', () => {
        try {
          unlinkSync(pidfile);
        } catch {
          // already removed by someone else
        }
      });
    }
    if (logfile) setDefaultOutputStream(appendingStream(logfile));
  });
  return cmd;
}
