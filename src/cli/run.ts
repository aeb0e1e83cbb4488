import { CommanderError } from 'commander';
import { buildProgram } from './program';
import { ExitCode, toCliError } from './errors';
import { escapeControls } from './output';

/**
 * Runs the tool with `argv` (process.argv shape) and resolves with the exit code. Failures are
 * reported as one line `rxws: reason` on stderr.
 */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its one-line message (or the help / version text).
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const failure = toCliError(err);
    // A reason can carry a peer's words (a close reason, a refusal): never let a terminal act on them.
    process.stderr.write(`rxws: ${process.stderr.isTTY ? escapeControls(failure.message) : failure.message}\n`);
    return failure.exitCode;
  }
}
