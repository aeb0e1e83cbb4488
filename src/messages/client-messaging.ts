import type { Observable } from 'rxjs';
import type { SocketHandle } from '../core/events';
import type { RawData } from './codecs';
import { TAKEN, UnwrapError, type MessageLayer } from './decode-events';
import { envelopeProblem, MessageError, newSessionId, PROTOCOL_VERSION, type Envelope, type WelcomeEnvelope } from './envelope';
import { Requester, type RequestOptions, type RequesterOptions } from './requests';

/** Options of the message layer of a client (`messaging` on `WebSocketClient`). */
export interface MessagingOptions extends RequesterOptions {
  /** The session named in `hello`. Default: a new random one per client object. */
  session?: string;
}

/** Takes envelopes of other kinds (channels' `subok`, `pub`…); true when it handled one. */
export type EnvelopeHandler = (envelope: Envelope) => boolean;

/**
 * The client side of the envelope (docs/protocol.md): `hello` on each connection, `msg` for
 * plain messages, requests through a `Requester`, and a hook for other kinds (channels).
 */
export class ClientMessaging implements MessageLayer {
  readonly session: string;
  readonly requester: Requester;
  /** The server's `welcome` on the current connection. */
  welcome: WelcomeEnvelope | undefined;
  private readonly handlers: EnvelopeHandler[] = [];
  private readonly openListeners: Array<() => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private send: ((envelope: Envelope) => boolean) | undefined;

  constructor(options: MessagingOptions = {}) {
    this.session = options.session ?? newSessionId();
    this.requester = new Requester(options);
  }

  /** Sends an envelope on the open connection; false when there is none. */
  sendEnvelope(envelope: Envelope): boolean {
    return this.send?.(envelope) ?? false;
  }

  /** Adds a handler for envelope kinds this layer does not know itself. */
  addHandler(handler: EnvelopeHandler): void {
    this.handlers.push(handler);
  }

  /**
   * Calls `listener` on each open, after `hello` and before requests are (re-)sent: e.g. channels
   * subscribing again after a reconnect. `onClosed` when that connection has ended.
   */
  onOpened(listener: () => void): void {
    this.openListeners.push(listener);
  }

  /** Calls `listener` each time a connection has ended. */
  onClosed(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  request<R>(target: string, body: unknown, options?: RequestOptions): Observable<R> {
    return this.requester.request<R>(target, body, options);
  }

  wrap(value: unknown): unknown {
    return { k: 'msg', body: value };
  }

  unwrap(value: unknown, raw: RawData): unknown {
    const problem = envelopeProblem(value);
    if (problem !== undefined) return new UnwrapError(new MessageError({ code: 'INVALID_ENVELOPE', reason: `Not an rxws envelope: ${problem} (docs/protocol.md)`, raw }));
    const envelope = value as Envelope;
    if (envelope.k === 'msg') return envelope.body;
    if (envelope.k === 'welcome') {
      this.welcome = envelope;
      return TAKEN;
    }
    if (this.requester.receive(envelope)) return TAKEN;
    for (const handler of this.handlers) if (handler(envelope)) return TAKEN;
    // An err for an id nobody knows (a cancelled request, a channel left since): ignored (docs/protocol.md, Errors).
    if (envelope.k === 'err' && envelope.id !== undefined) return TAKEN;
    if (envelope.k === 'err') {
      return new UnwrapError(new MessageError({ code: envelope.code, reason: `The server reported: ${envelope.message}`, data: envelope.data, raw }));
    }
    return new UnwrapError(new MessageError({ code: 'INVALID_ENVELOPE', reason: `A client does not take '${envelope.k}' envelopes (docs/protocol.md)`, raw }));
  }

  opened(_socket: SocketHandle, send: (value: unknown) => boolean): void {
    // On Node the socket's send already holds a turn's writes for one system call
    // (WsSocket.coalesceWrites); a browser's sends as it is.
    this.send = send;
    this.welcome = undefined;
    send({ k: 'hello', v: PROTOCOL_VERSION, session: this.session });
    for (const listener of this.openListeners) listener();
    this.requester.opened(send);
  }

  rejected(): void {
    // Reported on events$ as a decodeError; the server is not told (it cannot do anything about it).
  }

  closed(): void {
    this.send = undefined;
    this.requester.closed('the connection closed');
    for (const listener of this.closeListeners) listener();
  }
}
