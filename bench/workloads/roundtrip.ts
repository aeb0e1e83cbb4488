// Round-trip latency, client side: one message at a time, the next sent when the reply arrives.
import WebSocket from 'ws';
import type { WebSocketEvent } from 'rxws';
import { rxwsClient } from '../lib/rxws';
import { nowMs, percentile } from '../lib/stats';
import { makePayload } from './payload';

export interface RoundTripParams {
  url: string;
  size: number;
  /** Round trips to time (the run stops earlier at `maxMs`). */
  count: number;
  maxMs: number;
}

export interface RoundTripResult {
  samples: number;
  p50Us: number;
  p99Us: number;
}

/** Times round trips; the first 5 % are warm-up and not counted. */
class Timer {
  private readonly latencies: Float64Array;
  private n = 0;
  private sentAt = 0;
  private readonly deadlineMs: number;
  private readonly warmup: number;
  readonly done: Promise<RoundTripResult>;
  private resolveDone!: (r: RoundTripResult) => void;
  private rejectDone!: (e: Error) => void;
  private readonly guard: NodeJS.Timeout;

  constructor(private readonly params: RoundTripParams) {
    this.latencies = new Float64Array(params.count);
    this.warmup = Math.floor(params.count / 20);
    this.deadlineMs = nowMs() + params.maxMs;
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.guard = setTimeout(() => this.fail(new Error(`round trips did not finish within ${params.maxMs + 20_000} ms`)), params.maxMs + 20_000);
  }

  /** Marks a send; call right before sending. */
  sending(): void {
    this.sentAt = performance.now();
  }

  /** Records a reply; true when another round trip should follow. */
  reply(length: number): boolean {
    const elapsed = performance.now() - this.sentAt;
    if (length !== this.params.size) {
      this.fail(new Error(`reply of ${length} bytes, expected ${this.params.size}`));
      return false;
    }
    this.latencies[this.n++] = elapsed * 1000;
    if (this.n < this.params.count && nowMs() < this.deadlineMs) return true;
    clearTimeout(this.guard);
    const timed = this.latencies.subarray(Math.min(this.warmup, this.n - 1), this.n);
    this.resolveDone({ samples: timed.length, p50Us: percentile(timed, 50), p99Us: percentile(timed, 99) });
    return false;
  }

  fail(err: Error): void {
    clearTimeout(this.guard);
    this.rejectDone(err);
  }
}

export async function roundTripRxws(params: RoundTripParams): Promise<RoundTripResult> {
  const { connect } = rxwsClient();
  const payload = makePayload(params.size, false);
  const timer = new Timer(params);
  const subscription = connect(params.url).subscribe({
    next: (e: WebSocketEvent) => {
      if (e.type === 'message') {
        if (timer.reply(e.data.length)) {
          timer.sending();
          e.socket.send(payload);
        }
      } else if (e.type === 'open') {
        timer.sending();
        e.socket.send(payload);
      } else if (e.type === 'close') {
        timer.fail(new Error(`connection closed during the run: ${e.code} ${e.reason}`));
      }
    },
    error: (err: Error) => timer.fail(err),
  });
  try {
    return await timer.done;
  } finally {
    subscription.unsubscribe();
  }
}

export async function roundTripRaw(params: RoundTripParams): Promise<RoundTripResult> {
  const payload = makePayload(params.size, false);
  const timer = new Timer(params);
  const ws = new WebSocket(params.url, { perMessageDeflate: false });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? data : data.toString();
    if (timer.reply(message.length)) {
      timer.sending();
      ws.send(payload);
    }
  });
  ws.on('open', () => {
    timer.sending();
    ws.send(payload);
  });
  ws.on('error', (err) => timer.fail(err));
  ws.on('close', (code) => timer.fail(new Error(`connection closed during the run: ${code}`)));
  try {
    return await timer.done;
  } finally {
    ws.removeAllListeners('close');
    ws.on('error', () => undefined);
    ws.close();
  }
}
