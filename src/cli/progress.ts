import { SingleBar } from 'cli-progress';

/** A byte progress display; does nothing when disabled (not a terminal, --json, --silent). */
export interface Progress {
  update(loaded: number, total?: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

/** Progress bars go to stderr, only when it is a terminal, so pipes and files never see them. */
export function progressEnabled(flags: { json?: boolean; silent?: boolean }, stream: { isTTY?: boolean } = process.stderr): boolean {
  return stream.isTTY === true && !flags.json && !flags.silent;
}

/** A cli-progress bar labelled `label`, counting bytes; a no-op when `enabled` is false. */
export function byteProgress(label: string, enabled: boolean): Progress {
  if (!enabled) return NO_PROGRESS;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} bytes`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(loaded, total) {
      const size = total ?? Math.max(loaded, 1);
      if (!started) {
        bar.start(size, loaded);
        started = true;
      } else {
        bar.setTotal(size);
        bar.update(loaded);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
