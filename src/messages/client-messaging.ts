import type { Observable } from 'rxjs';
import type { SocketHandle } from '../core/events';
import type { RawData } from './codecs';
import { TAKEN, UnwrapError, type MessageLayer } from './decode-events';
import { envelopeProblem, MessageError, newSessionId, PROTOCOL_VERSION, type Envelope, type MsgEnvelope, type WelcomeEnvelope } from './envelope';
import { Requester, type RequestOptions, type RequesterOptions } from './requests';

/** Options of the message layer of a client (`messaging` on `WebSocketClient`). */
export interface MessagingOptions extends RequesterOptions {
  /** The session named in `hello`. Default: a new random one per client object. */
  session?: string;
  /**
   * Number each message `send` sends, keep it until the server acknowledges it, and send the
   * unacknowledged ones again after a reconnect: the server takes each once (docs/protocol.md,
   * Messages sent once). Turned off by itself with a server that does not acknowledge. Default true.
   */
  acks?: boolean;
}

/** Messages kept for their acknowledgement at most; past it the oldest is given up (reported undelivered, maybe sent). */
export const MAX_UNACKNOWLEDGED = 10_000;

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
  /** Numbers messages and keeps them until acknowledged; false once the server said it does not. */
  private acking: boolean;
  private lastMsgId = 0;
  /** Sent and not yet acknowledged, oldest first (from `unackedHead`). */
  private unacked: MsgEnvelope[] = [];
  private unackedHead = 0;
  /** Told about a message given up (more than MAX_UNACKNOWLEDGED wait for their ack). */
  onGivenUp: ((body: unknown) => void) | undefined;

  constructor(options: MessagingOptions = {}) {
    this.session = options.session ?? newSessionId();
    this.requester = new Requester(options);
    this.acking = options.acks !== false;
  }

  /** Whether this layer sends unacknowledged messages again itself (the client then does not requeue them). */
  get resendsMessages(): boolean {
    return this.acking;
  }

  /** How many sent messages wait for their acknowledgement. */
  get unacknowledged(): number {
    return this.unacked.length - this.unackedHead;
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
    if (!this.acking) return { k: 'msg', body: value };
    const envelope: MsgEnvelope = { k: 'msg', id: ++this.lastMsgId, body: value };
    this.unacked.push(envelope);
    if (this.unacknowledged > MAX_UNACKNOWLEDGED) {
      const given = this.unacked[this.unackedHead];
      this.dropAcked(given.id as number);
      this.onGivenUp?.(given.body);
    }
    return envelope;
  }

  notSent(): void {
    // The socket did not take the last wrapped message: it is not waiting for an ack.
    if (this.acking && this.unacknowledged > 0) this.unacked.length--;
  }

  private dropAcked(id: number): void {
    const list = this.unacked;
    while (this.unackedHead < list.length && (list[this.unackedHead].id as number) <= id) list[this.unackedHead++] = undefined as unknown as MsgEnvelope;
    if (this.unackedHead === list.length) list.length = this.unackedHead = 0;
    else if (this.unackedHead > 1024 && this.unackedHead * 2 > list.length) this.unacked = list.slice(this.unackedHead), (this.unackedHead = 0);
  }

  unwrap(value: unknown, raw: RawData): unknown {
    const problem = envelopeProblem(value);
    if (problem !== undefined) return new UnwrapError(new MessageError({ code: 'INVALID_ENVELOPE', reason: `Not an rxws envelope: ${problem} (docs/protocol.md)`, raw }));
    const envelope = value as Envelope;
    if (envelope.k === 'msg') return envelope.body;
    if (envelope.k === 'ack') {
      this.dropAcked(envelope.id);
      return TAKEN;
    }
    if (envelope.k === 'welcome') {
      this.welcome = envelope;
      if (envelope.acks !== true && this.acking) {
        // A server that does not acknowledge: messages go as they did before acknowledgements.
        this.acking = false;
        this.unacked = [];
        this.unackedHead = 0;
      }
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
    // docs/protocol.md, Messages sent once: the unacknowledged ones first, with their ids, in order.
    for (let i = this.unackedHead; i < this.unacked.length; i++) send(this.unacked[i]);
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
