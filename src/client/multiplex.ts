// RxJS WebSocketSubject's multiplex(subMsg, unsubMsg, messageFilter), for servers with their own
// subscribe protocol, on a reconnecting client: the subscribe message is sent again on every open.
import { Observable } from 'rxjs';
import type { SendData, WebSocketEvent, WebSocketMessageEvent } from '../core/events';

/** How `multiplex` turns values into frames and frames into values. Defaults: JSON, as RxJS's `webSocket`. */
export interface MultiplexOptions<T> {
  /** The frame for a subscribe or unsubscribe message. Default `JSON.stringify`. */
  serializer?: (value: unknown) => SendData;
  /** The value of a received message. Default `JSON.parse` of a text frame. A throw errors the Observable. */
  deserializer?: (event: WebSocketMessageEvent) => T;
}

/** What `multiplex` needs of a client. */
export interface MultiplexHost {
  readonly events$: Observable<WebSocketEvent>;
  send(data: SendData): boolean;
  readonly isOpen: () => boolean;
}

const jsonSerializer = (value: unknown): SendData => JSON.stringify(value);

function jsonDeserializer<T>(event: WebSocketMessageEvent): T {
  if (event.binary) throw new TypeError('multiplex: got a binary message; the default deserializer reads JSON text (pass options.deserializer for binary)');
  try {
    return JSON.parse(event.data as string) as T;
  } catch (err) {
    throw new TypeError(`multiplex: a message is not JSON (${(err as Error).message}); pass options.deserializer to read other formats`, { cause: err });
  }
}

/**
 * Each subscription sends `subMsg()` (now when open, else on the next open, and again after
 * every reconnect), emits the received values that `messageFilter` accepts, and on unsubscribe
 * sends `unsubMsg()` when open. A deserializer or filter that throws errors the Observable.
 */
export function multiplex<T>(
  host: MultiplexHost,
  subMsg: () => unknown,
  unsubMsg: () => unknown,
  messageFilter: (value: T) => boolean,
  options: MultiplexOptions<T> = {},
): Observable<T> {
  const serialize = options.serializer ?? jsonSerializer;
  const deserialize = options.deserializer ?? jsonDeserializer<T>;
  return new Observable<T>((subscriber) => {
    const subscription = host.events$.subscribe((event) => {
      try {
        if (event.type === 'open') host.send(serialize(subMsg()));
        else if (event.type === 'message') {
          const value = deserialize(event);
          if (messageFilter(value)) subscriber.next(value);
        }
      } catch (err) {
        subscriber.error(err);
      }
    });
    try {
      if (host.isOpen()) host.send(serialize(subMsg()));
    } catch (err) {
      subscriber.error(err);
    }
    return () => {
      subscription.unsubscribe();
      // An unsubMsg or serializer that throws surfaces from unsubscribe() (RxJS's UnsubscriptionError).
      if (host.isOpen()) host.send(serialize(unsubMsg()));
    };
  });
}
