import type { SendData, WriteError } from '../core/events';

/** What became of the messages of a connection that ended before they were reported written. */
export interface InFlightOutcome {
  /** Never left the process, oldest first: safe to send again. */
  readonly unwritten: SendData[];
  /** Were being written as the connection died: part or all may have reached the peer. */
  readonly maybeSent: SendData[];
}

/**
 * The messages one connection's socket accepted and has not yet reported written, oldest
 * first. Sockets report writes in send order, so one callback per connection (`onWritten`)
 * settles the oldest: no closure or object per message.
 */
export class InFlight {
  private readonly items: Array<SendData | undefined> = [];
  private head = 0;
  private readonly unwritten: SendData[] = [];
  private readonly maybeSent: SendData[] = [];

  /** The socket's `onWritten` callback for every message of this connection. */
  readonly onWritten = (err?: WriteError): void => {
    if (this.head >= this.items.length) return; // none left: a late report of an ended connection
    const data = this.items[this.head] as SendData;
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) this.items.length = this.head = 0;
    if (err === undefined) return;
    (err.maybeSent === true ? this.maybeSent : this.unwritten).push(data);
  };

  /** How many messages wait for their write report. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds a message about to be sent (before `send`, which may report at once). */
  push(data: SendData): void {
    this.items.push(data);
  }

  /** Takes back the message just pushed, when the socket refused it. */
  popLast(): void {
    if (this.items.length > this.head) this.items.length--;
  }

  /**
   * The connection has ended: every message with no report yet never left (sockets report a
   * write that left before the connection's close). Later reports are ignored.
   */
  end(): InFlightOutcome {
    const pending = this.items.slice(this.head) as SendData[];
    this.items.length = this.head = 0;
    return { unwritten: [...this.unwritten, ...pending], maybeSent: this.maybeSent };
  }
}
