// The rxws command-line tool: `rxws <command> --help`.
import { run } from './run';

/** Resolves once everything written to `stream` so far has been handed to the OS (or the reader is gone). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) return resolve();
    stream.write('', () => resolve());
  });
}

// A reader that went away (`rxws … | head`) is not a failure of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

void run(process.argv)
  .then(async (code) => {
    // A pipe may still hold queued output: exit only once it has drained, or it is lost.
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    return code;
  })
  .then((code) => {
    // Exit at once: a command is done, lingering keep-alive sockets or stdin must not hold the process.
    process.exit(code);
  });
