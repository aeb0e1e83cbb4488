// Collects unhandled rejections and uncaught exceptions while a test runs, so a fault that
// crashes rxws fails the test instead of going unnoticed.
export interface CrashGuard {
  readonly problems: unknown[];
  dispose(): void;
}

export function guardProcess(): CrashGuard {
  const problems: unknown[] = [];
  const onProblem = (err: unknown): void => void problems.push(err);
  process.on('unhandledRejection', onProblem);
  process.on('uncaughtException', onProblem);
  return {
    problems,
    dispose() {
      process.removeListener('unhandledRejection', onProblem);
      process.removeListener('uncaughtException', onProblem);
    },
  };
}
