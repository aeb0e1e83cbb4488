import type { SendData } from '../core/events';

/** Options of `WebSocketClient`'s send queue. */
export interface QueueOptions {
  /** How many messages are held while disconnected; `send` returns false for one more. */
  maxMessages: number;
}

/** Messages sent while disconnected, delivered in order on the next open. */
export class SendQueue {
  private items: SendData[] = [];

  constructor(readonly maxMessages: number) {
    if (!Number.isInteger(maxMessages) || maxMessages < 1) {
      throw new RangeError(`queue.maxMessages must be a whole number >= 1, got ${maxMessages}`);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Holds `data`; false when the queue is full (the message is not taken). */
  push(data: SendData): boolean {
    if (this.items.length >= this.maxMessages) return false;
    this.items.push(data);
    return true;
  }

  /** Sends what `send` accepts, in order; what it refuses stays queued. */
  flush(send: (data: SendData) => boolean): void {
    let sent = 0;
    while (sent < this.items.length && send(this.items[sent])) sent++;
    this.items.splice(0, sent);
  }

  /**
   * Puts messages that never left a dead connection back at the head, in their order, as many
   * as there is room for; returns how many (the first ones) were taken.
   */
  requeue(messages: readonly SendData[]): number {
    const taken = Math.min(messages.length, this.maxMessages - this.items.length);
    if (taken > 0) this.items = messages.slice(0, taken).concat(this.items);
    return taken;
  }

  clear(): void {
    this.items.length = 0;
  }
}
