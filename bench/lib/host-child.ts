// The child side of a bench host process: answers the orchestrator's commands over IPC.

/** A command handler: takes the command's arguments, resolves with a JSON-able result. */
export type Handler = (args: Record<string, unknown>) => Promise<unknown> | unknown;

interface Request {
  id: number;
  cmd: string;
  args: Record<string, unknown>;
}

/**
 * Serves `handlers` until the parent goes away. A host never outlives its parent: when the
 * IPC channel closes (the orchestrator exited, crashed or was killed), the host exits.
 */
export function serveCommands(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error('bench hosts run as child processes of bench/run.ts');
  const send = process.send.bind(process);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw) => {
    const req = raw as Request;
    if (req.cmd === 'exit') {
      // A normal exit, so that --cpu-prof writes its profile.
      send({ id: req.id, result: null }, () => process.exit(0));
      return;
    }
    const handler = handlers[req.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown bench command '${req.cmd}'`);
        return handler(req.args ?? {});
      })
      .then(
        (result) => send({ id: req.id, result: result ?? null }),
        (err: unknown) => send({ id: req.id, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  send({ id: 0, result: 'ready' });
}

/** Reads a required argument of a given type, with a clear error when it is missing. */
export function arg<T>(args: Record<string, unknown>, name: string, type: 'number' | 'string' | 'boolean'): T {
  const value = args[name];
  if (typeof value !== type) throw new TypeError(`bench command argument '${name}' must be a ${type}, got ${JSON.stringify(value)}`);
  return value as T;
}
