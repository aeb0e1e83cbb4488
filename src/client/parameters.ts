// Connection parameters a WebSocketClient evaluates before every try: a fresh token per reconnect.
import { catchError, defer, forkJoin, from, isObservable, map, of, switchMap, take, throwError, throwIfEmpty, type Observable, type ObservableInput } from 'rxjs';
import { WebSocketError } from '../core/errors';
import type { SendData, WebSocketEvent } from '../core/events';
import type { ConnectOptions } from '../core/options';
import { parseWebSocketUrl } from '../core/url';

/**
 * A value, or a function evaluated before every connection try that returns the value, a
 * Promise of it, or an Observable (its first value is used).
 */
export type PerTry<T> = T | (() => T | PromiseLike<T> | Observable<T>);

/** The parameters of one try, as resolved. */
export interface TryParameters {
  readonly url: string;
  readonly headers: Record<string, string> | undefined;
  readonly protocols: readonly string[] | undefined;
  readonly firstMessage: SendData | undefined;
}

/** The parameters as given to the client: each one fixed or evaluated per try. */
export interface ParameterSources {
  readonly url: PerTry<string | URL>;
  readonly headers?: PerTry<Record<string, string>>;
  readonly protocols?: PerTry<string | readonly string[]>;
  readonly firstMessage?: PerTry<SendData>;
}

/** True when every parameter is fixed: nothing to evaluate before a try. */
function isFixed(sources: ParameterSources): boolean {
  return typeof sources.url !== 'function' && typeof sources.headers !== 'function' && typeof sources.protocols !== 'function' && typeof sources.firstMessage !== 'function';
}

/**
 * Evaluates every parameter for one try. A function that throws, rejects, errors or completes
 * without a value gives a WebSocketError `PARAMETER_FAILED` (retried by the default policy); a
 * value of the wrong shape gives `INVALID_OPTIONS` (not retried), a bad URL `INVALID_URL`.
 */
function resolveParameters(sources: ParameterSources): Observable<TryParameters> {
  return defer(() =>
    forkJoin({
      url: evaluate('url', sources.url).pipe(map((url) => parseWebSocketUrl(checkUrl(url)).href)),
      headers: sources.headers === undefined ? of(undefined) : evaluate('headers', sources.headers).pipe(map(checkHeaders)),
      protocols: sources.protocols === undefined ? of(undefined) : evaluate('protocols', sources.protocols).pipe(map(checkProtocols)),
      firstMessage: sources.firstMessage === undefined ? of(undefined) : evaluate('firstMessage', sources.firstMessage).pipe(map(checkFirstMessage)),
    }),
  );
}

function evaluate<T>(name: string, source: PerTry<T>): Observable<T> {
  if (typeof source !== 'function') return of(source);
  return defer(() => {
    const value = (source as () => T | PromiseLike<T> | Observable<T>)();
    return isObservable(value) || isPromiseLike(value) ? from(value as ObservableInput<T>) : of(value);
  }).pipe(
    take(1),
    throwIfEmpty(() => failed(name, 'its Observable completed without a value')),
    catchError((err: unknown) => throwError(() => (err instanceof WebSocketError && err.code === 'PARAMETER_FAILED' ? err : failed(name, describe(err), err)))),
  );
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function failed(name: string, what: string, cause?: unknown): WebSocketError {
  return new WebSocketError({
    code: 'PARAMETER_FAILED',
    reason: `The ${name} function failed before the connection try: ${what}. The try counts as failed and the reconnect policy decides whether to try again`,
    cause,
  });
}

function invalid(reason: string): WebSocketError {
  return new WebSocketError({ code: 'INVALID_OPTIONS', reason });
}

function checkUrl(url: unknown): string | URL {
  if (typeof url === 'string' || url instanceof URL) return url;
  throw invalid(`The url function must give a string or a URL, got ${typeof url}`);
}

function checkHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw invalid(`The headers function must give a record of header names to strings, got ${headers === null ? 'null' : typeof headers}`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw invalid(`The headers function gave header '${name}' a ${typeof value}; header values must be strings`);
  }
  return headers as Record<string, string>;
}

/** Throws INVALID_OPTIONS unless `data` is something `send` takes. */
export function checkFirstMessage(data: unknown): SendData {
  if (typeof data === 'string' || data instanceof Uint8Array || data instanceof ArrayBuffer) return data;
  throw invalid(`The firstMessage must be a string, a Uint8Array or an ArrayBuffer, got ${data === null ? 'null' : typeof data}`);
}

function checkProtocols(protocols: unknown): readonly string[] {
  // One string is one subprotocol, as `connect` and the WHATWG constructor take it.
  if (typeof protocols === 'string') return [protocols];
  if (!Array.isArray(protocols) || !protocols.every((p) => typeof p === 'string')) {
    throw invalid('protocols must be a subprotocol name or a list of them (strings)');
  }
  return protocols as readonly string[];
}

/**
 * The tries of one `start()`: each evaluates the parameters (none to evaluate when all are fixed),
 * gives them to `onTry`, then connects with them.
 */
export function connectWithParameters(
  sources: ParameterSources,
  connectFn: (url: string, options: ConnectOptions) => Observable<WebSocketEvent>,
  options: ConnectOptions,
  onTry: (parameters: TryParameters) => void,
): () => Observable<WebSocketEvent> {
  const connectWith = (p: TryParameters): Observable<WebSocketEvent> => {
    onTry(p);
    return connectFn(p.url, { ...options, ...(p.headers && { headers: p.headers }), ...(p.protocols && { protocols: p.protocols }) });
  };
  if (!isFixed(sources)) return () => resolveParameters(sources).pipe(switchMap(connectWith));
  const fixed: TryParameters = {
    url: String(sources.url),
    headers: sources.headers as Record<string, string> | undefined,
    // Fixed values are checked by `connect` itself (INVALID_OPTIONS); a string is one subprotocol.
    protocols: (typeof sources.protocols === 'string' ? [sources.protocols] : sources.protocols) as readonly string[] | undefined,
    firstMessage: sources.firstMessage === undefined ? undefined : checkFirstMessage(sources.firstMessage),
  };
  return () => connectWith(fixed);
}
