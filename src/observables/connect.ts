import { Observable } from 'rxjs';
import { assertCodec } from '../messages/codecs';
import { decodeEvents } from '../messages/decode-events';
import type { CodecOptions, TypedWebSocketEvent } from '../messages/typed-events';
import { WebSocketError } from '../core/errors';
import type { WebSocketEvent } from '../core/events';
import { MAX_PAYLOAD_LIMIT } from '../core/constants';
import type { ConnectOptions, OpenOptions } from '../core/options';
import { openConnection } from './transport';
import { parseWebSocketTarget } from '../core/url';
import { durationProblem, isToken } from '../core/validation';

/** The subprotocols to offer as a list: a single string is one subprotocol, as in the WHATWG `WebSocket`. */
function protocolList(protocols: ConnectOptions['protocols'], bad: (reason: string) => never): readonly string[] | undefined {
  if (protocols === undefined || Array.isArray(protocols)) return protocols as readonly string[] | undefined;
  if (typeof protocols === 'string') return [protocols];
  return bad(`protocols must be a subprotocol name or a list of them, such as 'chat' or ['chat.v2', 'chat.v1'], got ${typeof protocols}`);
}

/** Checks the options (a WebSocketError INVALID_OPTIONS naming the first bad one) and resolves them for a transport. */
function validateOptions(options: ConnectOptions): OpenOptions {
  const bad = (reason: string): never => {
    throw new WebSocketError({ code: 'INVALID_OPTIONS', reason });
  };
  const { handshakeTimeoutMs, maxPayload, closeTimeoutMs } = options;
  const durationBad = durationProblem('handshakeTimeoutMs', handshakeTimeoutMs ?? 1) ?? durationProblem('closeTimeoutMs', closeTimeoutMs ?? 0, { zero: true });
  if (durationBad !== undefined) bad(durationBad);
  if (maxPayload !== undefined && !(Number.isInteger(maxPayload) && maxPayload >= 1 && maxPayload <= MAX_PAYLOAD_LIMIT)) {
    bad(`maxPayload must be a whole number of bytes from 1 to ${MAX_PAYLOAD_LIMIT} (2^31 - 1), got ${String(maxPayload)}`);
  }
  if (options.corkWrites !== undefined && typeof options.corkWrites !== 'boolean') bad(`corkWrites must be true or false, got ${JSON.stringify(options.corkWrites)}`);
  const protocols = protocolList(options.protocols, bad);
  if (protocols !== undefined) {
    // RFC 6455 §4.1: each subprotocol is a non-empty token, offered once.
    const seen = new Set<string>();
    for (const p of protocols) {
      if (!isToken(p)) bad(`Invalid subprotocol ${JSON.stringify(p)}: it must be a non-empty token (RFC 6455 §4.1)`);
      if (seen.has(p)) bad(`Subprotocol '${p}' is offered twice`);
      seen.add(p);
    }
  }
  // No copy per try unless a subprotocol string became a list (the transport applies the defaults).
  return typeof options.protocols === 'string' ? { ...options, protocols } : (options as OpenOptions);
}

/**
 * Opens a WebSocket connection per subscription and emits its events: `open`, then
 * `message` / `ping` / `pong`, then `close`, then completes. Unsubscribing closes the
 * connection with 1000. A connection that cannot be opened errors with a `WebSocketError`.
 *
 * @example
 * connect('ws://127.0.0.1:8008', { protocols: ['chat.v1'] }).subscribe((e) => {
 *   switch (e.type) {
 *     case 'open': e.socket.send('hello'); break;
 *     case 'message': console.log(e.binary ? `${e.data.length} bytes` : e.data); break;
 *     case 'close': console.log('closed', e.code, e.reason); break;
 *   }
 * });
 *
 * With a `codec` (`json()`, `msgpack()`, `text()`, `binary()` or your own), `message` events carry
 * decoded values and `socket.send` takes values to encode; a message that does not decode is a
 * `decodeError` event (docs/messages.md):
 *
 * connect<Quote, Order>('ws://127.0.0.1:8008', { codec: json<Quote, Order>() }).subscribe((e) => {
 *   if (e.type === 'message') e.socket.send({ buy: e.data.symbol, qty: 1 });
 * });
 */
export function connect<In, Out>(url: string | URL, options: ConnectOptions & CodecOptions<In, Out>): Observable<TypedWebSocketEvent<In, Out>>;
export function connect(url: string | URL, options?: ConnectOptions): Observable<WebSocketEvent>;
export function connect<In, Out>(
  url: string | URL,
  options: ConnectOptions & Partial<CodecOptions<In, Out>> = {},
): Observable<WebSocketEvent> | Observable<TypedWebSocketEvent<In, Out>> {
  if (options.codec === undefined) return connectFrames(url, options);
  const { codec, decodeErrors, ...connectOptions } = options;
  // The codec is a map over the events: the frame path below stays as it is.
  try {
    assertCodec(codec, 'connect()');
  } catch (err) {
    return new Observable<TypedWebSocketEvent<In, Out>>((subscriber) => subscriber.error(new WebSocketError({ code: 'INVALID_OPTIONS', reason: (err as Error).message })));
  }
  return connectFrames(url, connectOptions).pipe(decodeEvents(codec, { decodeErrors }));
}

function connectFrames(url: string | URL, options: ConnectOptions): Observable<WebSocketEvent> {
  return new Observable<WebSocketEvent>((subscriber) => {
    let target;
    let parsed;
    let resolved;
    try {
      ({ target, url: parsed } = parseWebSocketTarget(url));
      resolved = validateOptions(options);
    } catch (err) {
      subscriber.error(err);
      return;
    }
    let connection;
    try {
      // The browser transport takes no parsed URL (its WebSocket takes the href).
      connection = openConnection(target, resolved, subscriber, parsed);
    } catch (err) {
      // Bad TLS files and the like: report through the Observable, never throw at subscribe.
      subscriber.error(
        err instanceof WebSocketError
          ? err
          : new WebSocketError({ code: 'INVALID_OPTIONS', url: target.href, reason: (err as Error).message, cause: err }),
      );
      return;
    }
    return () => connection.dispose();
  });
}
