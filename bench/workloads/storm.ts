// Reconnect storm, client side: `clients` rxws connections with `reconnect`, with or without
// jitter. After the server restarts, the orchestrator waits until every client is open again.
import type { Subscription } from 'rxjs';
import { rxwsClient } from '../lib/rxws';
import { nowMs } from '../lib/stats';

type Jitter = 'none' | 'full' | 'equal';

let subscriptions: Subscription[] = [];
let openNow = 0;
let failedTries = 0;
let lastOpenMs = 0;

/** Opens `clients` reconnecting clients; resolves once all are open. */
export async function openStorm(url: string, clients: number, jitter: string, maxMs: number): Promise<{ clients: number }> {
  if (jitter !== 'none' && jitter !== 'full' && jitter !== 'equal') throw new Error(`jitter must be none, full or equal, got '${jitter}'`);
  closeStorm();
  const { connect, reconnect } = rxwsClient();
  for (let i = 0; i < clients; i++) {
    let isOpen = false;
    const subscription = connect(url, { handshakeTimeoutMs: 10_000 })
      .pipe(reconnect({ jitter: jitter as Jitter }))
      .subscribe((e) => {
        if (e.type === 'open') {
          isOpen = true;
          openNow++;
          lastOpenMs = nowMs();
        } else if (e.type === 'close' && isOpen) {
          isOpen = false;
          openNow--;
        } else if (e.type === 'error') {
          failedTries++;
        }
      });
    subscriptions.push(subscription);
  }
  await awaitStormOpen(maxMs);
  return { clients };
}

/** Zeroes the failed-try count and waits until every client is open; resolves with the time the last one opened. */
export async function awaitStormOpen(maxMs: number): Promise<{ lastOpenMs: number; failedTries: number }> {
  const deadlineMs = nowMs() + maxMs;
  while (openNow < subscriptions.length) {
    if (nowMs() > deadlineMs) throw new Error(`only ${openNow} of ${subscriptions.length} clients were open after ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const result = { lastOpenMs, failedTries };
  failedTries = 0;
  return result;
}

/** Waits until no client is open (the server went away). */
export async function awaitStormClosed(maxMs: number): Promise<void> {
  const deadlineMs = nowMs() + maxMs;
  while (openNow > 0) {
    if (nowMs() > deadlineMs) throw new Error(`${openNow} clients still open after ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export function closeStorm(): void {
  for (const s of subscriptions) s.unsubscribe();
  subscriptions = [];
  openNow = 0;
  failedTries = 0;
}
