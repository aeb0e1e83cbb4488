// The server side of the envelope on one connection: hello/welcome, requests and cancels for the
// runner, other kinds for the extensions (channels), and replies written together.
import { CloseCode } from '../core/constants';
import type { SocketHandle } from '../core/events';
import { servesChannels } from './channels';
import type { ServerConnection } from './connection';
import type { RawData } from '../messages/codecs';
import { TAKEN, UnwrapError, type MessageLayer } from '../messages/decode-events';
import { envelopeProblem, MessageError, PROTOCOL_VERSION, type Envelope } from '../messages/envelope';
import type { RequestRunner, Run, RunTarget } from '../messages/handlers';

/** The server side of the envelope on one connection. */
export class ServerLayer<C> implements MessageLayer, RunTarget {
  readonly runs = new Map<number, Run>();
  session = '';
  connection!: C;
  private sendValue: ((value: unknown) => boolean) | undefined;
  /** The highest msg id to acknowledge at the end of this turn; 0: none. */
  private ackId = 0;

  constructor(
    private readonly runner: RequestRunner<C>,
    private readonly raw: ServerConnection,
  ) {}

  /**
   * Sends an envelope. Replies made in one turn (the requests of one TCP read, a stream's
   * synchronous values) are written together: the connection's send corks the socket until the
   * turn's microtasks have run (WsSocket.coalesceWrites), so N replies cost one write system call,
   * or a few growing ones past 4 KiB, which let the client start on the first replies.
   */
  send(envelope: Envelope): boolean {
    const sendValue = this.sendValue;
    return sendValue === undefined ? false : sendValue(envelope);
  }

  wrap(value: unknown): unknown {
    return { k: 'msg', body: value };
  }

  unwrap(value: unknown, raw: RawData): unknown {
    const problem = envelopeProblem(value);
    if (problem !== undefined) return new UnwrapError(new MessageError({ code: 'INVALID_ENVELOPE', reason: `Not an rxws envelope: ${problem} (docs/protocol.md)`, raw }));
    const envelope = value as Envelope;
    switch (envelope.k) {
      case 'msg':
        if (envelope.id === undefined || this.session === '') return envelope.body;
        this.acknowledge(envelope.id);
        // A repeat (sent again after a reconnect) is acknowledged, not delivered again.
        return this.runner.messages.accept(this.session, envelope.id) ? envelope.body : TAKEN;
      case 'req':
        this.runner.request(envelope, this, this.session, this.connection);
        return TAKEN;
      case 'cancel':
        this.runner.cancel(envelope.id, this);
        return TAKEN;
      case 'hello':
        this.hello(envelope.v, envelope.session);
        return TAKEN;
      case 'err':
        // The client reports a frame it could not read: shown as a decodeError, nothing to answer.
        return new UnwrapError(new MessageError({ code: envelope.code, reason: `The client reported: ${envelope.message}`, data: envelope.data, raw }));
      default:
        return this.other(envelope, raw);
    }
  }

  /** Kinds for the extensions (channels); a `sub` none takes is refused, an `unsub` ignored. */
  private other(envelope: Envelope, raw: RawData): unknown {
    const send = (e: Envelope): boolean => this.send(e);
    for (const extension of this.runner.extensions) if (extension.receive(envelope, this.connection, send)) return TAKEN;
    if (envelope.k === 'sub') {
      // channels(server) reads the frames underneath and answers itself.
      if (!servesChannels(this.raw)) this.send({ k: 'err', id: envelope.id, code: 'CHANNEL_REFUSED', message: `This server has no channels; '${envelope.channel}' cannot be subscribed` });
      return TAKEN;
    }
    if (envelope.k === 'unsub') return TAKEN;
    return new UnwrapError(new MessageError({ code: 'INVALID_ENVELOPE', reason: `A server does not take '${envelope.k}' envelopes (docs/protocol.md)`, raw }));
  }

  rejected(error: MessageError): void {
    // docs/protocol.md: an err without id tells the peer what it could not read.
    this.send({ k: 'err', code: error.code, message: error.message });
  }

  opened(_socket: SocketHandle, send: (value: unknown) => boolean): void {
    this.sendValue = send;
  }

  /** One `ack` per turn, for the highest msg id read in it: the messages of one TCP read cost one ack. */
  private acknowledge(id: number): void {
    if (this.ackId === 0) queueMicrotask(this.sendAck);
    if (id > this.ackId) this.ackId = id;
  }

  private readonly sendAck = (): void => {
    const id = this.ackId;
    this.ackId = 0;
    if (id > 0) this.send({ k: 'ack', id });
  };

  closed(): void {
    this.sendValue = undefined;
    if (this.session !== '') this.runner.messages.detached(this.session);
    this.runner.closed(this);
    for (const extension of this.runner.extensions) extension.closed?.(this.connection);
  }

  private hello(version: number, session: string): void {
    if (version !== PROTOCOL_VERSION) {
      this.send({ k: 'err', code: 'UNSUPPORTED_VERSION', message: `This server speaks protocol version ${PROTOCOL_VERSION}, not ${version}`, data: { supported: [PROTOCOL_VERSION] } });
      this.raw.close(CloseCode.PROTOCOL_ERROR, 'Unsupported protocol version');
      return;
    }
    if (this.session !== '') this.runner.messages.detached(this.session);
    this.session = session;
    this.runner.messages.attached(session);
    this.send({ k: 'welcome', v: PROTOCOL_VERSION, session, maxInFlight: this.runner.maxInFlight, dedupWindowMs: this.runner.dedupWindowMs, acks: true });
  }
}

