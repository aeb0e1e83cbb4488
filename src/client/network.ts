// Whether the device is online, as browsers report it: the default network source of WebSocketClient.
import { fromEvent, map, merge, Observable } from 'rxjs';

/** The part of `globalThis` a browser offers for network events (absent in Node). */
interface NetworkEventTarget {
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

function hasNetworkEvents(target: unknown): target is NetworkEventTarget {
  return typeof (target as Partial<NetworkEventTarget>).addEventListener === 'function' && typeof (target as Partial<NetworkEventTarget>).removeEventListener === 'function';
}

/**
 * `true` on each `online` event and `false` on each `offline` event of `globalThis`, starting
 * with `navigator.onLine` when there is a navigator; undefined where there are no such events
 * (Node). The default `network` of `WebSocketClient` in browsers.
 *
 * @example
 * const client = new WebSocketClient({ url: 'wss://example.com/live', network: browserNetworkStatus() });
 */
export function browserNetworkStatus(target: unknown = globalThis): Observable<boolean> | undefined {
  if (!hasNetworkEvents(target)) return undefined;
  const events = target;
  return new Observable<boolean>((subscriber) => {
    const navigator = (globalThis as { navigator?: { onLine?: unknown } }).navigator;
    if (target === globalThis && typeof navigator?.onLine === 'boolean') subscriber.next(navigator.onLine);
    return merge(
      fromEvent(events, 'online').pipe(map(() => true)),
      fromEvent(events, 'offline').pipe(map(() => false)),
    ).subscribe(subscriber);
  });
}
