import type { WebSocketError } from '../core/errors';
import type { WebSocketEvent } from '../core/events';

/**
 * Where a transport delivers a connection's events. An RxJS `Subscriber` is one, so events
 * go straight to the subscriber with no intermediate object.
 */
export interface EventSink {
  next(event: WebSocketEvent): void;
  error(err: WebSocketError): void;
  complete(): void;
}
