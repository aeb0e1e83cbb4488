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

/**
 * Each line of stdin as the bytes it is made of (split at `\n` only, which is not included; a `\r`
 * stays): for binary mode, where decoding as UTF-8 would change the data. Completes at end of input.
 */
export function stdinByteLines$(input: NodeJS.ReadableStream = process.stdin): Observable<Uint8Array> {
  return new Observable<Uint8Array>((subscriber) => {
    let pending: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer | string): void => {
      pending = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
      for (let end = pending.indexOf(0x0a); end !== -1; end = pending.indexOf(0x0a)) {
        subscriber.next(new Uint8Array(pending.subarray(0, end)));
        pending = pending.subarray(end + 1);
      }
    };
    const onEnd = (): void => {
      if (pending.length > 0) subscriber.next(new Uint8Array(pending));
      subscriber.complete();
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
    return () => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
    };
  });
}
