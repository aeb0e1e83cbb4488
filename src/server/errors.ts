import { RxwsError, type RxwsErrorInit } from '../core/errors';

/** Machine-readable causes of a server that could not start listening. */
export type ServeErrorCode = 'ADDRESS_IN_USE' | 'PERMISSION_DENIED' | 'ADDRESS_NOT_AVAILABLE' | 'HOST_NOT_FOUND' | 'LISTEN_FAILED';

/**
 * Why `serve(...).listening` rejected: the port is taken, not permitted, or the host is not
 * an address of this machine.
 *
 * @example
 * serve({ port: 8008 }).listening.catch((e: ServeError) => console.error(e.code, e.message));
 */
export class ServeError extends RxwsError<ServeErrorCode> {
  override readonly name = 'ServeError';
  constructor(init: RxwsErrorInit<ServeErrorCode>);
  /** @deprecated Pass `{ code, reason, cause }`, the shape of every rxws error. */
  constructor(code: ServeErrorCode, reason: string, options?: { cause?: unknown });
  constructor(init: RxwsErrorInit<ServeErrorCode> | ServeErrorCode, reason?: string, options?: { cause?: unknown }) {
    super(typeof init === 'string' ? { code: init, reason: reason ?? '', cause: options?.cause } : init);
  }
}

/** A readable ServeError for a failed `listen(port, host)`. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): ServeError {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ServeError({ code: 'ADDRESS_IN_USE', reason: `Cannot listen on ${where}: the port is already in use. Stop the other server or pick another port (0 picks a free one)`, cause: err });
    case 'EACCES':
    case 'EPERM':
      return new ServeError({ code: 'PERMISSION_DENIED', reason: `Cannot listen on ${where}: permission denied (ports below 1024 need privileges); use a port above 1023`, cause: err });
    case 'EADDRNOTAVAIL':
      return new ServeError({ code: 'ADDRESS_NOT_AVAILABLE', reason: `Cannot listen on ${where}: ${host} is not an address of this machine; use 127.0.0.1, ::1, 0.0.0.0 or ::`, cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ServeError({ code: 'HOST_NOT_FOUND', reason: `Cannot listen on ${where}: host ${host} could not be resolved`, cause: err });
    default:
      return new ServeError({ code: 'LISTEN_FAILED', reason: `Cannot listen on ${where}: ${err.message}`, cause: err });
  }
}
