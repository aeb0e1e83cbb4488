// The rxws command-line tool: `rxws <command> --help`.
import { run } from './run';

void run(process.argv).then((code) => {
  // Exit at once: a command is done, lingering keep-alive sockets or stdin must not hold the process.
  process.exit(code);
});
