import type { SendData, SocketHandle } from '../observables/events';

/** Options of `WebSocketClient`'s send queue. */
export interface QueueOptions {
  /** How many messages are held while disconnected; `send` returns false for one more. */
  maxMessages: number;
}

/** Messages sent while disconnected, delivered in order on the next open. */
export class SendQueue {
  private readonly items: SendData[] = [];

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

  /** Sends what the socket accepts, in order; what it refuses stays queued. */
  flush(socket: SocketHandle): void {
    let sent = 0;
    while (sent < this.items.length && socket.send(this.items[sent])) sent++;
    this.items.splice(0, sent);
  }

  clear(): void {
    this.items.length = 0;
  }
}
