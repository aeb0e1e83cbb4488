// Handshakes per second: `parallel` chains, each opening a connection, closing it as soon as
// it is open, and starting the next once the close completed. The client is rxws `connect` or
// a raw `ws` client; the server side is measured by running raw clients against `serve()`.
import WebSocket from 'ws';
import { rxwsClient } from '../lib/rxws';
import { nowMs } from '../lib/stats';

export interface HandshakeParams {
  url: string;
  parallel: number;
  /** Handshakes (open + close) to complete; the run stops earlier at `maxMs`. */
  count: number;
  maxMs: number;
}

export interface HandshakeResult {
  handshakes: number;
  elapsedMs: number;
  perSec: number;
  /** CPU time (user + system) this client process spent per handshake. */
  cpuUsPerHandshake: number;
}

/** Opens one connection to `url`, closes it once open, resolves when the close completed. */
export type OpenClose = (url: string) => Promise<void>;

function openCloseRaw(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    // 1000, as rxws sends: a close frame without a code is smaller and not what applications send.
    ws.on('open', () => ws.close(1000));
    ws.on('error', reject);
    ws.on('close', () => resolve());
  });
}

function openCloseRxws(url: string): Promise<void> {
  const { connect } = rxwsClient();
  return new Promise((resolve, reject) => {
    connect(url, { handshakeTimeoutMs: 10_000 }).subscribe({
      next: (e) => {
        if (e.type === 'open') e.socket.close();
      },
      error: reject,
      complete: resolve,
    });
  });
}

/** `params.parallel` chains of `openClose`, until `params.count` handshakes or `params.maxMs`; rate and CPU per handshake. */
export async function runHandshakes(params: HandshakeParams, openClose: OpenClose): Promise<HandshakeResult> {
  const startMs = nowMs();
  const startCpu = process.cpuUsage();
  const deadlineMs = startMs + params.maxMs;
  let started = 0;
  let done = 0;
  const chain = async (): Promise<void> => {
    while (started < params.count && nowMs() < deadlineMs) {
      started++;
      await openClose(params.url);
      done++;
    }
  };
  await Promise.all(Array.from({ length: params.parallel }, chain));
  const elapsedMs = nowMs() - startMs;
  const cpu = process.cpuUsage(startCpu);
  return { handshakes: done, elapsedMs, perSec: (done * 1000) / elapsedMs, cpuUsPerHandshake: (cpu.user + cpu.system) / done };
}

export const handshakesRxws = (params: HandshakeParams): Promise<HandshakeResult> => runHandshakes(params, openCloseRxws);
export const handshakesRaw = (params: HandshakeParams): Promise<HandshakeResult> => runHandshakes(params, openCloseRaw);
