import { asyncScheduler, from, isObservable, Observable, of, type SchedulerLike, type Subscription } from 'rxjs';
import type { SendData, WebSocketEvent, WebSocketMessageEvent } from '../core/events';
import { json, type Codec } from '../messages/codecs';
import { errEnvelope, PROTOCOL_VERSION, readEnvelope, type Envelope } from '../messages/envelope';
import { binaryMessage, openEvent, textMessage } from './events';
import type { FakeScript } from './fake-connect';
import type { FakeSocket } from './fake-socket';

/** A fake request handler: a value, a Promise or an Observable (use `cold(...)` for virtual time). */
export type FakeHandler = (body: unknown) => unknown;

/** Options of `fakeMessageServer`. */
export interface FakeMessageServerOptions {
  /** The codec the client uses. Default `json()`. */
  codec?: Codec<unknown, unknown>;
  /** Scheduler replies are delivered on (after the frame that asked for them). Default `asyncScheduler`; pass the TestScheduler. */
  scheduler?: SchedulerLike;
}

/**
 * A `fakeConnect` script that plays an rxws message server with no network: it opens, answers
 * `hello` with `welcome`, runs `handlers` for each request (an Observable reply streams, in
 * virtual time with `cold(...)`), stops a handler on `cancel`, and answers an unknown target with
 * UNKNOWN_TARGET. What the client sent is still on `socket.sent` (encoded).
 *
 * @example
 * testScheduler.run(({ cold, expectObservable }) => {
 *   const connect = fakeConnect(fakeMessageServer({ ticks: () => cold('-a-b|', { a: 1, b: 2 }) }, { scheduler: testScheduler }));
 *   const client = new WebSocketClient({ url: 'ws://x', connect, codec: json(), messaging: true, scheduler: testScheduler });
 *   client.start();
 *   expectObservable(client.request('ticks')).toBe('-a-b|', { a: 1, b: 2 });
 * });
 */
export function fakeMessageServer(handlers: Readonly<Record<string, FakeHandler>>, options: FakeMessageServerOptions = {}): FakeScript {
  const codec = options.codec ?? json();
  const scheduler = options.scheduler ?? asyncScheduler;
  return (socket: FakeSocket) =>
    new Observable<WebSocketEvent>((subscriber) => {
      const running = new Map<number, Subscription>();
      const reply = (envelope: Envelope): void => {
        // Later, never inside the client's own send: a real server answers after the frame arrived.
        scheduler.schedule(() => subscriber.closed || subscriber.next(envelopeMessage(envelope, socket, codec)));
      };
      const received = (data: SendData): void => {
        const frame = typeof data === 'string' ? data : data instanceof Uint8Array ? data : new Uint8Array(data);
        const read = readEnvelope(codec, frame, typeof frame !== 'string');
        if (!read.ok) return reply({ k: 'err', code: read.error.code, message: read.error.message });
        const e = read.envelope;
        if (e.k === 'hello') return reply({ k: 'welcome', v: PROTOCOL_VERSION, session: e.session, maxInFlight: 256, dedupWindowMs: 60_000 });
        if (e.k === 'cancel') {
          running.get(e.id)?.unsubscribe();
          running.delete(e.id);
          return;
        }
        if (e.k !== 'req') return;
        const handler = Object.prototype.hasOwnProperty.call(handlers, e.target) ? handlers[e.target] : undefined;
        if (handler === undefined) return reply({ k: 'err', id: e.id, code: 'UNKNOWN_TARGET', message: `No fake handler for '${e.target}'` });
        let result: unknown;
        try {
          result = handler(e.body);
        } catch (error) {
          return reply(errEnvelope(e.id, error));
        }
        const streamed = isObservable(result);
        const values$ = streamed ? (result as Observable<unknown>) : result instanceof Promise ? from(result) : of(result);
        let n = 0;
        const subscription = values$.subscribe({
          next: (body) => reply(streamed ? { k: 'next', id: e.id, n: n++, body } : { k: 'res', id: e.id, body }),
          error: (error: unknown) => reply(errEnvelope(e.id, error)),
          complete: () => {
            running.delete(e.id);
            if (streamed) reply({ k: 'done', id: e.id });
          },
        });
        if (!subscription.closed) running.set(e.id, subscription);
      };
      const send = socket.send.bind(socket);
      socket.send = (data, onWritten) => {
        const accepted = send(data, onWritten);
        if (accepted) received(data);
        return accepted;
      };
      subscriber.next(openEvent({ socket }));
      return () => {
        for (const subscription of running.values()) subscription.unsubscribe();
        running.clear();
      };
    });
}

/**
 * A `message` event carrying `envelope` encoded with `codec` (default `json()`): for scripting
 * replies by hand in a marble diagram.
 *
 * @example
 * const socket = new FakeSocket();
 * cold('-o-r', { o: openEvent({ socket }), r: envelopeMessage({ k: 'res', id: 1, body: 5 }, socket) });
 */
export function envelopeMessage(envelope: Envelope, socket: FakeSocket, codec: Codec<unknown, unknown> = json()): WebSocketMessageEvent {
  const frame = codec.encode(envelope);
  if (typeof frame === 'string') return textMessage(frame, socket);
  return binaryMessage(frame instanceof Uint8Array ? frame : new Uint8Array(frame), socket);
}
