import { Observable, Subject, Subscription, type OperatorFunction } from 'rxjs';
import { CloseCode, MAX_CLOSE_REASON_BYTES } from '../core/constants';
import { WebSocketError } from '../core/errors';
import type { WebSocketErrorEvent, WebSocketEvent, WebSocketOpenEvent } from '../core/events';
import { utf8Length } from '../core/utf8';

/** Handles one connection: an operator from its events (`open` first, `close` last) to anything. */
export type ProtocolHandler<R> = (events$: Observable<WebSocketEvent>) => Observable<R>;

/**
 * One handler per accepted subprotocol, keyed by its name. The key `''` handles a connection on
 * which no subprotocol was negotiated.
 */
export type ProtocolHandlers<R> = Readonly<Record<string, ProtocolHandler<R>>>;

function mismatchReason(open: WebSocketOpenEvent, accepted: readonly string[]): string {
  const list = accepted.map((p) => (p === '' ? 'none' : `'${p}'`)).join(', ');
  const what = open.protocol === '' ? 'No subprotocol was negotiated' : `Subprotocol '${open.protocol}' is not supported`;
  return `${what}; accepted: ${list}`;
}

/** `text` cut to fit a close frame's reason. */
function fitCloseReason(text: string): string {
  let out = text;
  while (utf8Length(out) > MAX_CLOSE_REASON_BYTES) out = out.slice(0, -4) + '…';
  return out;
}

/**
 * Routes each connection by its negotiated subprotocol (`open.protocol`) to the handler
 * registered for it, on client connections (`connect(...)`) and server connections
 * (`connection.events$`) alike. A handler gets that connection's events from `open` to `close`
 * and returns what the pipe emits. A connection whose protocol has no handler is closed with
 * 1002 and a reason naming its protocol and the accepted ones, and the result errors with a
 * `WebSocketError` (code `PROTOCOL_MISMATCH`, same reason). Several connections in a row
 * (after `reconnect`) are routed one by one; `reconnect`'s `error` events pass through as is.
 *
 * @example
 * connect(url, { protocols: ['chat.v2', 'chat.v1'] }).pipe(
 *   selectProtocol({
 *     'chat.v2': (events$) => events$.pipe(filter(isText), map((e) => JSON.parse(e.data) as ChatV2)),
 *     'chat.v1': (events$) => events$.pipe(filter(isText), map((e) => upgradeV1(e.data))),
 *   }),
 * ).subscribe(show);
 */
export function selectProtocol<R>(handlers: ProtocolHandlers<R>): OperatorFunction<WebSocketEvent, R | WebSocketErrorEvent> {
  const accepted = Object.keys(handlers);
  if (accepted.length === 0) throw new RangeError('selectProtocol needs at least one handler, keyed by subprotocol name');
  for (const name of accepted) {
    if (typeof handlers[name] !== 'function') throw new TypeError(`selectProtocol: the handler for '${name}' must be a function (events$) => Observable`);
  }
  return (source) =>
    new Observable<R | WebSocketErrorEvent>((subscriber) => {
      const outputs = new Subscription();
      let current: Subject<WebSocketEvent> | undefined;
      let running = 0;
      let sourceDone = false;
      const completeIfDone = (): void => {
        if (sourceDone && running === 0) subscriber.complete();
      };

      const route = (open: WebSocketOpenEvent): void => {
        current?.complete();
        current = undefined;
        const handler = Object.prototype.hasOwnProperty.call(handlers, open.protocol) ? handlers[open.protocol] : undefined;
        if (handler === undefined) {
          const reason = mismatchReason(open, accepted);
          open.socket.close(CloseCode.PROTOCOL_ERROR, fitCloseReason(reason));
          subscriber.error(new WebSocketError({ code: 'PROTOCOL_MISMATCH', reason, url: open.url }));
          return;
        }
        const events = new Subject<WebSocketEvent>();
        current = events;
        running += 1;
        let output: Observable<R>;
        try {
          output = handler(events.asObservable());
        } catch (err) {
          subscriber.error(err);
          return;
        }
        outputs.add(
          output.subscribe({
            next: (value) => subscriber.next(value),
            error: (err: unknown) => subscriber.error(err),
            complete: () => {
              running -= 1;
              completeIfDone();
            },
          }),
        );
        events.next(open);
      };

      outputs.add(
        source.subscribe({
          next: (event) => {
            if (event.type === 'open') route(event);
            else if (current !== undefined) {
              const events = current;
              if (event.type === 'close') current = undefined;
              events.next(event);
              if (event.type === 'close') events.complete();
            } else if (event.type === 'error') subscriber.next(event);
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            sourceDone = true;
            current?.complete();
            current = undefined;
            completeIfDone();
          },
        }),
      );
      return outputs;
    });
}
