// Reading a browser's token: browsers cannot set handshake headers, so a token rides in an
// offered subprotocol or in the first message (docs/channels.md, Tokens in browsers).
import { asyncScheduler, from, isObservable, Subscription, take, timer, type Observable, type SchedulerLike } from 'rxjs';
import { durationProblem } from '../core/validation';
import type { ServerConnection } from './connection';

/** The subprotocol prefix that marks a token by default: a client offers `bearer.<token>`. */
export const TOKEN_PROTOCOL_PREFIX = 'bearer.';
/** How long `authenticateFirstMessage` waits for the first message by default. */
export const DEFAULT_FIRST_MESSAGE_TIMEOUT_MS = 10_000;
/** The close code `authenticateFirstMessage` uses by default: an application code meaning "unauthorized". */
export const UNAUTHORIZED_CLOSE_CODE = 4001;

/** Where the offered subprotocols are: an upgrade request (`authorize`), or an accepted connection's request. */
export type ProtocolsSource =
  | { readonly offeredProtocols: readonly string[] }
  | { readonly headers: Readonly<Record<string, string | string[] | undefined>> };

/**
 * The token a client offered as the subprotocol `<prefix><token>` (default `bearer.`), or
 * undefined. Give it the `UpgradeRequest` of `authorize`, or `connection.request` later (read
 * from its `Sec-WebSocket-Protocol` header). Keep the token subprotocol out of `protocols`, so
 * the server picks the application's one (the client must offer one too).
 *
 * @example
 * serve({
 *   protocols: ['chat.v1'],
 *   authorize: (request) => isValid(tokenFromProtocols(request)) || { status: 401, reason: 'bad or expired token' },
 * });
 * // browser: new WebSocketClient({ url, protocols: () => ['chat.v1', `bearer.${auth.token()}`] })
 */
export function tokenFromProtocols(source: ProtocolsSource, prefix = TOKEN_PROTOCOL_PREFIX): string | undefined {
  const offered = 'offeredProtocols' in source ? source.offeredProtocols : parseProtocolHeader(source.headers['sec-websocket-protocol']);
  for (const protocol of offered) {
    if (protocol.startsWith(prefix) && protocol.length > prefix.length) return protocol.slice(prefix.length);
  }
  return undefined;
}

function parseProtocolHeader(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  return joined.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Options of `authenticateFirstMessage`. */
export interface FirstMessageOptions {
  /** How long to wait for the first message. Default 10000. */
  timeoutMs?: number;
  /** Close code when the token is missing, late or refused. Default 4001. */
  closeCode?: number;
  /** Where the timeout is scheduled. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** What a first-message verifier answers: the identity, or false/undefined to refuse. */
export type FirstMessageVerdict<T> = T | false | undefined;

/**
 * Reads the first message of `connection` as its credentials (a browser's way to send a token
 * without headers: `WebSocketClient`'s `firstMessage` option sends it before anything else on
 * every connection). `verify(data)` answers the identity (or a Promise / Observable of it); a
 * refusal, a verifier that fails, or no message within `timeoutMs` closes the connection with
 * `closeCode` (4001) and a reason, and rejects. Subscribe to the connection when it is emitted.
 *
 * @example
 * server.connections$.subscribe((conn) => {
 *   const user = authenticateFirstMessage(conn, (token) => sessions.get(String(token)));
 *   user.then((name) => conn.send(`hello ${name}`), () => undefined);
 * });
 */
export function authenticateFirstMessage<T>(
  connection: ServerConnection,
  verify: (data: string | Uint8Array) => FirstMessageVerdict<T> | PromiseLike<FirstMessageVerdict<T>> | Observable<FirstMessageVerdict<T>>,
  options: FirstMessageOptions = {},
): Promise<T> {
  const { timeoutMs = DEFAULT_FIRST_MESSAGE_TIMEOUT_MS, closeCode = UNAUTHORIZED_CLOSE_CODE, scheduler = asyncScheduler } = options;
  const timeoutProblem = durationProblem('authenticateFirstMessage(): timeoutMs', timeoutMs);
  if (timeoutProblem !== undefined) throw new RangeError(timeoutProblem);
  return new Promise<T>((resolve, reject) => {
    const subscriptions = new Subscription();
    let done = false;
    let received = false;
    const finish = (): void => {
      done = true;
      subscriptions.unsubscribe();
    };
    const refuse = (reason: string, cause?: unknown): void => {
      if (done) return;
      finish();
      connection.close(closeCode, reason);
      reject(new Error(`First-message authentication failed: ${reason}`, cause === undefined ? undefined : { cause }));
    };
    const accept = (identity: FirstMessageVerdict<T>): void => {
      if (done) return;
      if (identity === false || identity === undefined) {
        refuse('unauthorized');
        return;
      }
      finish();
      resolve(identity);
    };
    const timeout = timer(timeoutMs, scheduler).subscribe(() => refuse(`no credentials within ${timeoutMs} ms`));
    subscriptions.add(timeout);
    const onMessage = (data: string | Uint8Array): void => {
      received = true; // later messages are the application's
      timeout.unsubscribe();
      let answer: ReturnType<typeof verify>;
      try {
        answer = verify(data);
      } catch (err) {
        refuse('the credentials could not be checked', err);
        return;
      }
      if (!isObservable(answer) && !isPromiseLike(answer)) {
        accept(answer);
        return;
      }
      subscriptions.add(
        from(answer as Observable<FirstMessageVerdict<T>>).pipe(take(1)).subscribe({
          next: accept,
          error: (err: unknown) => refuse('the credentials could not be checked', err),
          complete: () => refuse('unauthorized'),
        }),
      );
    };
    // Subscription.add on a finished Subscription unsubscribes at once: events replayed while subscribing are safe.
    subscriptions.add(
      connection.events$.subscribe((event) => {
        if (event.type === 'close') refuse('the connection closed before its credentials were accepted');
        else if (event.type === 'message' && !received && !done) onMessage(event.data);
      }),
    );
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
