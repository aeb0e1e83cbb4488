/** Exit codes of the rxws tool (documented in docs/cli.md). */
export const ExitCode = {
  ok: 0,
  /** A connection, TLS, HTTP or transfer failure. */
  failure: 1,
  /** Bad usage: unknown flag, bad URL, missing file. */
  usage: 2,
  /** `curl -f` and an HTTP status of 400 or more (curl's own code). */
  httpStatus: 22,
} as const;

/** A failure the tool reports as one line on stderr before exiting with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
  ) {
    super(message);
  }
}

// rxws error codes (one spelling in every entry point) and Node errno codes that mean the
// command line itself asked for something impossible.
const USAGE_CODES = new Set(['INVALID_URL', 'UNSUPPORTED_SCHEME', 'INVALID_OPTIONS', 'ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR']);

/** Turns anything thrown into a CliError with a one-line message. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const fields = (typeof err === 'object' && err !== null ? err : {}) as { reason?: unknown; message?: unknown; code?: unknown };
  const reason = typeof fields.reason === 'string' ? fields.reason : typeof fields.message === 'string' ? fields.message : String(err);
  const isUsage = typeof fields.code === 'string' && USAGE_CODES.has(fields.code);
  return new CliError(oneLine(reason), isUsage ? ExitCode.usage : ExitCode.failure);
}

/** Collapses a message to its first line, trimmed. */
function oneLine(text: string): string {
  return text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean)[0] ?? 'unknown error';
}
