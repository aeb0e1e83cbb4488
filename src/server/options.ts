import { RxwsError, type RxwsErrorInit } from '../core/errors';
import type { PerMessageDeflateOptions, TlsOptions } from '../core/options';
import { durationProblem, isToken } from '../core/validation';
import { assertAdapter, type BroadcastAdapter } from './adapter';
import type { HttpHandler } from './http/http-server';
import type { AuthorizeResult, UpgradeRequest } from './requests';

/** Default port, as IXWebSocket's ws tool (and the `rxws` command-line servers). */
export const DEFAULT_PORT = 8008;
/** Default interface: loopback only, so nothing is exposed by accident. */
export const DEFAULT_HOST = '127.0.0.1';
/**
 * Open connections, upgrades in progress and plain HTTP sockets beyond which an upgrade or a
 * request gets 503: no limit by default, as `ws` and Node's `http.Server`. The process's
 * open-file limit (`ulimit -n`) is then the bound; set `maxConnections` to refuse politely
 * before it (a public server should).
 */
export const DEFAULT_MAX_CONNECTIONS = Infinity;
/** IXWebSocket's `maxConnections` (128): `serve({ maxConnections: IXWEBSOCKET_MAX_CONNECTIONS })`; the `rxws` command's servers use it. */
export const IXWEBSOCKET_MAX_CONNECTIONS = 128;
/** The deadline of each request on a socket (from accept, or from the previous answer, to a complete head), as IXWebSocket. */
export const DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS = 3_000;
/** Largest message accepted (bytes); a bigger one closes that connection with 1009. */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;
/** Bytes waiting to be written to one client beyond which it is closed with 1008 "client too slow". */
export const DEFAULT_MAX_BUFFERED_AMOUNT = 8 * 1024 * 1024;
/**
 * Message bytes kept for a connection nobody has subscribed to yet (`events$` / `messages$`);
 * past this the connection stops reading until someone subscribes (nothing is dropped).
 */
export const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;
/** Largest plain HTTP request body read for `onRequest` (bytes); more gets 413. */
export const DEFAULT_MAX_HTTP_BODY = 1024 * 1024;
/** How long a server-side close waits for the client's close frame before the socket is destroyed. */
export const DEFAULT_SERVER_CLOSE_TIMEOUT_MS = 1_000;

/** Subprotocol policy: a preference list, or a function choosing among the offered ones. */
export type ProtocolPolicy =
  | readonly string[]
  | ((offered: readonly string[], request: UpgradeRequest) => string | false);

/** Options of `serve()`. All optional. */
export interface ServeOptions {
  /** Port to listen on; 0 picks a free one (read it from `listening`). Default 8080. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1'; use '0.0.0.0' or '::' to accept remote clients. */
  host?: string;
  /** Serve `wss:` / `https:`. `certFile` and `keyFile` are required; `caFile` roots make client certificates required. */
  tls?: TlsOptions;
  /**
   * Subprotocols. A list is in the server's order of preference: the first one the client also
   * offered is chosen. A function gets the offered list and the request and returns the chosen one
   * (it must be one of the offered), `''` to accept without one (RFC 6455 §4.1), or `false`. When the client offered subprotocols and none is
   * chosen, the upgrade is refused with 400 and a reason naming the supported ones; a client that
   * offers none is accepted without one. Default: none chosen.
   */
  protocols?: ProtocolPolicy;
  /**
   * Decides, before the upgrade, whether a client may connect. Return (or resolve) `true` or
   * nothing to accept, `false` to refuse with 403, or `{ status, reason?, headers? }` to refuse with
   * that status (e.g. 401). A throw or rejection refuses with 500 and is reported on `errors$`.
   */
  authorize?: (request: UpgradeRequest) => AuthorizeResult | Promise<AuthorizeResult>;
  /**
   * Open connections plus upgrades in progress plus plain HTTP sockets (from their first request
   * until they close); one more is refused with 503 and a reason. A whole number, or
   * `Infinity`. Default: no limit (`Infinity`), as `ws`; IXWebSocket's 128 is
   * `IXWEBSOCKET_MAX_CONNECTIONS`.
   */
  maxConnections?: number;
  /**
   * The deadline of every request on a socket: its head must be complete this long after the
   * socket was accepted or its previous request answered; a body for `onRequest` must arrive
   * within this of its head (else 408); an upgrade must be decided within it (an `authorize`
   * still pending gets 503 and is reported on `errors$`). A socket past it is dropped. Default 3000.
   */
  handshakeTimeoutMs?: number;
  /** How long a server-side close waits for the client's close frame. Default 1000. */
  closeTimeoutMs?: number;
  /** Largest message accepted, in bytes; a bigger one closes that connection with 1009. Default 100 MiB. */
  maxPayload?: number;
  /**
   * Bytes waiting to be written to one client (its `bufferedAmount`) beyond which a `send` or
   * `broadcast` closes it with 1008 "client too slow" instead of growing memory. Default 8 MiB.
   */
  maxBufferedAmount?: number;
  /**
   * Message bytes kept for a connection before anyone subscribes to its `events$` or `messages$`.
   * Past this (or 64 events) the server stops reading from that client until someone subscribes:
   * TCP pushes back on the client, nothing is dropped. A server that never subscribes (broadcast
   * only) thus holds at most about this plus one message per client. Default 1 MiB.
   */
  maxPendingBytes?: number;
  /**
   * The frames sent to a connection in one event-loop turn (its `send`s and messaging replies;
   * broadcasts are batched per turn anyway) leave in one write to its socket (one system call)
   * instead of one each, or for a turn of more than 4 KiB in a few writes growing from 4 KiB to
   * 64 KiB, so the client starts on the first while the rest are produced; the last is written
   * before the loop goes on (a microtask, no timer: latency is unchanged). Write reports, their
   * order, `bufferedAmount`, `maxBufferedAmount` and close-after-send are as without it.
   * Default true; false writes each `send` at once.
   */
  corkWrites?: boolean;
  /**
   * Accept permessage-deflate (RFC 7692) when a client offers it. Default off: on small messages
   * it costs ~20x in throughput, and broadcast cannot share one encoded frame among such clients.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Answer clients' pings with pongs automatically (RFC 6455 §5.5.2). Default true; false is for tests of clients' keep-alive. */
  autoPong?: boolean;
  /**
   * Ping every connection at this interval; a connection that has not answered the previous ping
   * by the next one is closed with 1011 "Ping timeout". Default 0 (off).
   */
  pingIntervalMs?: number;
  /** Answers plain HTTP requests on the same port. Without it they get 426 Upgrade Required. */
  onRequest?: HttpHandler;
  /** Largest plain HTTP request body read for `onRequest`, in bytes; more gets 413. Default 1 MiB. */
  maxHttpBodyBytes?: number;
  /**
   * Makes this server one instance of a logical server spread over processes or machines:
   * broadcasts (and their topics) also reach the clients of the other instances. E.g.
   * `redisAdapter()` from `rxws/redis`, or `new InProcessBus().adapter()`. Default: none (this
   * process only). See docs/scale-out.md.
   */
  adapter?: BroadcastAdapter;
}

/** Thrown by `serve()` for options it cannot use; says which option and what to do. */
export class ServeOptionsError extends RxwsError<'INVALID_OPTIONS'> {
  override readonly name = 'ServeOptionsError';
  constructor(init: RxwsErrorInit<'INVALID_OPTIONS'>);
  /** @deprecated Pass `{ code: 'INVALID_OPTIONS', reason }`, the shape of every rxws error. */
  constructor(reason: string);
  constructor(init: RxwsErrorInit<'INVALID_OPTIONS'> | string) {
    super(typeof init === 'string' ? { code: 'INVALID_OPTIONS', reason: init } : init);
  }
}

/** A ServeOptionsError (code INVALID_OPTIONS) with `reason`. */
export function serveOptionsError(reason: string, cause?: unknown): ServeOptionsError {
  return new ServeOptionsError({ code: 'INVALID_OPTIONS', reason, cause });
}

function checkNumber(name: string, value: number | undefined, min: number, integer: boolean): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= min) || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw serveOptionsError(`${name} must be ${kind} >= ${min}, got ${String(value)}`);
  }
}

/** The shared duration rule (`durationProblem`): at most what a timer honours; `zero` allows 0. */
function checkDuration(name: string, value: number | undefined, zero: boolean): void {
  const problem = value === undefined ? undefined : durationProblem(name, value, { zero });
  if (problem !== undefined) throw serveOptionsError(problem);
}

/** Throws a ServeOptionsError naming the first option that cannot be used. */
export function validateServeOptions(options: ServeOptions): void {
  checkNumber('port', options.port, 0, true);
  if (options.port !== undefined && options.port > 65535) throw serveOptionsError(`port must be at most 65535, got ${options.port}`);
  if (options.maxConnections !== Infinity) checkNumber('maxConnections', options.maxConnections, 1, true);
  checkDuration('handshakeTimeoutMs', options.handshakeTimeoutMs, false);
  checkDuration('closeTimeoutMs', options.closeTimeoutMs, true);
  checkNumber('maxPayload', options.maxPayload, 1, true);
  checkNumber('maxBufferedAmount', options.maxBufferedAmount, 1, false);
  checkDuration('pingIntervalMs', options.pingIntervalMs, true);
  checkNumber('maxHttpBodyBytes', options.maxHttpBodyBytes, 0, true);
  checkNumber('maxPendingBytes', options.maxPendingBytes, 1, true);
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw serveOptionsError(`host must be a non-empty string such as '127.0.0.1' or '::', got ${JSON.stringify(options.host)}`);
  }
  const { protocols } = options;
  if (protocols !== undefined && typeof protocols !== 'function') {
    if (!Array.isArray(protocols)) throw serveOptionsError('protocols must be a list of subprotocol names or a function');
    for (const p of protocols) {
      if (!isToken(p)) {
        throw serveOptionsError(`Invalid subprotocol ${JSON.stringify(p)}: it must be a non-empty token (RFC 6455 §4.1)`);
      }
    }
  }
  if (options.adapter !== undefined) {
    try {
      assertAdapter(options.adapter);
    } catch (e) {
      throw serveOptionsError((e as Error).message);
    }
  }
  if (options.corkWrites !== undefined && typeof options.corkWrites !== 'boolean') {
    throw serveOptionsError(`corkWrites must be true or false, got ${JSON.stringify(options.corkWrites)}`);
  }
  for (const name of ['authorize', 'onRequest'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw serveOptionsError(`${name} must be a function`);
  }
}
