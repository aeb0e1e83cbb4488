// Bookkeeping of an echo run, shared by the rxws and the raw ws client so both pay the same.
import { nowMs } from '../lib/stats';

export interface EchoParams {
  url: string;
  /** Payload size in bytes. */
  size: number;
  binary: boolean;
  connections: number;
  /** Messages outstanding per connection. */
  inFlight: number;
  /** Replies to wait for, over all connections (the run stops earlier at `maxMs`). */
  count: number;
  maxMs: number;
}

export interface EchoResult {
  messages: number;
  elapsedMs: number;
  msgsPerSec: number;
  /** CPU time (user + system) this client process spent per message: steadier than msgs/s on a busy machine. */
  cpuUsPerMsg: number;
}

/**
 * Counts replies, decides whether each reply is answered by a new message, and ends the run
 * when every sent message came back (after `count` replies or `maxMs`).
 */
export class EchoRun {
  sent = 0;
  received = 0;
  private startMs = 0;
  private startCpu: NodeJS.CpuUsage | undefined;
  private deadlineMs = Infinity;
  private stopping = false;
  private wrongSize = 0;
  readonly done: Promise<EchoResult>;
  private resolveDone!: (r: EchoResult) => void;
  private rejectDone!: (e: Error) => void;
  private readonly guard: NodeJS.Timeout;

  constructor(readonly params: EchoParams) {
    this.done = new Promise<EchoResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // Opening the connections is bounded too: the whole run gets maxMs plus 20 s of slack.
    this.guard = setTimeout(() => this.fail(new Error(`echo run did not finish within ${params.maxMs + 20_000} ms (${this.received}/${this.sent})`)), params.maxMs + 20_000);
  }

  /** Starts the clock; returns how many messages a connection sends at first. */
  start(): number {
    this.startMs = nowMs();
    this.startCpu = process.cpuUsage();
    this.deadlineMs = this.startMs + this.params.maxMs;
    return this.params.inFlight;
  }

  /** Takes one message slot; false once the run has sent enough. */
  take(): boolean {
    if (this.stopping || this.sent >= this.params.count) return false;
    this.sent++;
    return true;
  }

  /** Records a reply of `length` bytes or characters; true when the caller should send again. */
  reply(length: number): boolean {
    this.received++;
    if (length !== this.params.size) this.wrongSize++;
    if ((this.received & 255) === 0 && nowMs() > this.deadlineMs) this.stopping = true;
    if (this.take()) return true;
    if (this.received === this.sent) this.finish();
    return false;
  }

  fail(err: Error): void {
    clearTimeout(this.guard);
    this.rejectDone(err);
  }

  private finish(): void {
    clearTimeout(this.guard);
    const elapsedMs = nowMs() - this.startMs;
    const cpu = process.cpuUsage(this.startCpu);
    if (this.wrongSize > 0) {
      this.rejectDone(new Error(`${this.wrongSize} echoed messages had the wrong size`));
      return;
    }
    this.resolveDone({
      messages: this.received,
      elapsedMs,
      msgsPerSec: (this.received * 1000) / elapsedMs,
      cpuUsPerMsg: (cpu.user + cpu.system) / this.received,
    });
  }
}
