import { Observable, type Subscriber } from 'rxjs';
import { TlsConfigError } from '../tls/resolve';
import { bodyOption, prepareBody } from './bodies';
import { HttpError } from './errors';
import { responseEvent, type HttpEvent } from './events';
import { sendHop, type HopSettings } from './exchange';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TRANSFER_TIMEOUT_MS,
  type HttpRequestOptions,
} from './options';
import { redirectedHop, type Hop } from './redirects';
import { startDeadline } from './timers';
import { checkNumbers, methodOf, parseHttpUrl } from './validation';

/** Validated input of one exchange, before the body is encoded. */
interface Plan {
  url: URL;
  method: string;
  settings: Omit<HopSettings, 'redirects'>;
}

function plan(input: string | URL, options: HttpRequestOptions): Plan {
  const url = parseHttpUrl(input);
  checkNumbers(options, url.href);
  const method = methodOf(options, bodyOption(options, url.href) !== undefined, url.href);
  const settings = {
    options,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    transferTimeoutMs: options.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
  };
  return { url, method, settings };
}

function asHttpError(err: unknown, url: string): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof TlsConfigError) return new HttpError({ code: 'INVALID_OPTIONS', url, cause: err, reason: err.message });
  return new HttpError({ code: 'INVALID_OPTIONS', url, cause: err, reason: `Cannot send a request to ${url}: ${String(err)}` });
}

/** Runs one exchange for one subscriber: hops through redirects until a response. */
function run(input: string | URL, options: HttpRequestOptions, subscriber: Subscriber<HttpEvent>): () => void {
  let active = true;
  let stopHop: (() => void) | undefined;
  let overallTimer: NodeJS.Timeout | undefined;
  const href = String(input);

  const teardown = (): void => {
    active = false;
    clearTimeout(overallTimer);
    options.signal?.removeEventListener('abort', onAbort);
    stopHop?.();
  };
  const fail = (err: unknown): void => {
    if (!active) return;
    teardown();
    subscriber.error(asHttpError(err, href));
  };
  const onAbort = (): void => fail(new HttpError({ code: 'CANCELLED', url: href, reason: `The request to ${href} was cancelled (options.signal aborted)` }));

  const send = (hop: Hop, settings: HopSettings, retried: boolean): void => {
    try {
      const stop = sendHop(hop, settings, {
        event: (e) => active && subscriber.next(e),
        fail: (err, retryable) => (retryable && !retried && active ? send(hop, settings, true) : fail(err)),
        redirect: (status, location) => {
          if (!active) return;
          try {
            send(redirectedHop(hop, status, location), { ...settings, redirects: settings.redirects + 1 }, false);
          } catch (err) {
            fail(err);
          }
        },
        done: (response) => {
          if (!active) return;
          teardown();
          subscriber.next(responseEvent({ ...response, redirects: settings.redirects }));
          subscriber.complete();
        },
      });
      stopHop = stop;
      // The subscriber may have left during the synchronous `sent` event.
      if (!active) stop();
    } catch (err) {
      fail(err);
    }
  };

  const start = async (): Promise<void> => {
    const { url, method, settings } = plan(input, options);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort);
    const timeoutMs = options.timeoutMs ?? 0;
    overallTimer = startDeadline(timeoutMs, () =>
      fail(new HttpError({ code: 'TIMEOUT', url: url.href, reason: `${method} ${url.href}: no complete response within ${timeoutMs} ms (timeoutMs)` })),
    );
    const body = await prepareBody(options, url.href);
    if (active) send({ url, method, headers: { ...options.headers }, body }, { ...settings, redirects: 0 }, false);
  };
  start().catch(fail);
  return teardown;
}

/**
 * Sends an HTTP request and emits its progress and response as events. Cold: each subscription
 * sends one request; unsubscribing aborts it at once and closes its socket. Redirects are
 * followed and gzip/deflate/br bodies decoded by default; connections are kept alive and reused.
 * A status >= 400 is a normal `response`; only transport failures error, with an `HttpError`.
 *
 * @example
 * httpRequest('https://example.com/upload', { method: 'PUT', body: bytes }).subscribe((e) => {
 *   switch (e.type) {
 *     case 'uploadProgress': console.log(`${e.loaded}/${e.total}`); break;
 *     case 'response': console.log(e.status, e.text()); break;
 *   }
 * });
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Observable<HttpEvent> {
  return new Observable<HttpEvent>((subscriber) => run(url, options ?? {}, subscriber));
}
