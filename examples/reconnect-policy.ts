// A reconnect policy for a live API: IXWebSocket's backoff capped at 30 s with equal jitter,
// give up after 10 failures in a row, and never retry a refused login (HTTP 401 on the upgrade,
// or the server closing with 4001). Pings detect half-open connections.
// Run: npx tsx examples/reconnect-policy.ts ws://127.0.0.1:8008
import type { Observable, SchedulerLike } from 'rxjs';
import { connect, defaultShouldReconnect, keepAlive, reconnect, WebSocketError, type ConnectFunction, type ReconnectCause, type WebSocketEvent } from 'rxws';

/** The application's close code for "Permission denied". */
export const PERMISSION_DENIED = 4001;

/** Whether a try that ended with `cause` is worth repeating. */
export function worthRetrying(cause: ReconnectCause): boolean {
  if (cause instanceof WebSocketError && cause.httpStatus === 401) return false;
  if ('type' in cause && cause.code === PERMISSION_DENIED) return false;
  return defaultShouldReconnect(cause);
}

/** What tests swap: the connection factory, the scheduler and the jitter's random source. */
export interface LiveEventsDeps {
  connect?: ConnectFunction;
  scheduler?: SchedulerLike;
  random?: () => number;
}

/** The events of a connection to `url` kept up by the policy. */
export function liveEvents(url: string, deps: LiveEventsDeps = {}): Observable<WebSocketEvent> {
  const { connect: connectFn = connect, scheduler, random } = deps;
  return connectFn(url).pipe(
    keepAlive({ intervalMs: 20_000, timeoutMs: 5_000, scheduler }),
    reconnect({ maxWaitMs: 30_000, jitter: 'equal', random, maxRetries: 10, shouldReconnect: worthRetrying, scheduler }),
  );
}

if (require.main === module) {
  liveEvents(process.argv[2] ?? 'ws://127.0.0.1:8008').subscribe({
    next: (e) => {
      if (e.type === 'error') console.log(`try ${e.retries} failed: ${e.reason}; next in ${e.waitTimeMs} ms`);
      else if (e.type === 'close') console.log(`closed ${e.code} ${e.reason}`);
      else if (e.type !== 'message') console.log(e.type);
    },
    error: (err: { reason?: string }) => {
      console.error(`gave up: ${err.reason ?? String(err)}`);
      process.exitCode = 1;
    },
    complete: () => console.log('stopped'),
  });
}
