import readline from 'node:readline';
import { Observable } from 'rxjs';

/** Resolves with the signal's name on the first Ctrl-C (SIGINT) or SIGTERM. */
export function interrupted(): { promise: Promise<NodeJS.Signals>; dispose: () => void } {
  let dispose = (): void => undefined;
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => resolve(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    dispose = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  return { promise, dispose };
}

/** Each line of stdin; completes at end of input. */
export function stdinLines$(input: NodeJS.ReadableStream = process.stdin): Observable<string> {
  return new Observable<string>((subscriber) => {
    const lines = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
    lines.on('line', (line) => subscriber.next(line));
    lines.on('close', () => subscriber.complete());
    return () => lines.close();
  });
}
