// Echo workloads, client side: the same loop written with rxws `connect` and with a raw `ws`
// client. Both hand the application the message as a string (text) or as bytes (binary), as an
// application needs it, and answer each reply with the next message while the run lasts.
import WebSocket from 'ws';
import type { SocketHandle, WebSocketEvent } from 'rxws';
import { rxwsClient } from '../lib/rxws';
import { makePayload } from './payload';
import { EchoRun, type EchoParams, type EchoResult } from './echo-run';

/** Echo through rxws `connect`: one subscription per connection. */
export async function echoRxws(params: EchoParams): Promise<EchoResult> {
  const { connect } = rxwsClient();
  const payload = makePayload(params.size, params.binary);
  const run = new EchoRun(params);
  const sockets: SocketHandle[] = [];
  const subscriptions = [];
  const onEvent = (e: WebSocketEvent): void => {
    if (e.type === 'message') {
      if (run.reply(e.data.length)) e.socket.send(payload);
    } else if (e.type === 'open') {
      sockets.push(e.socket);
      if (sockets.length === params.connections) {
        const first = run.start();
        for (const socket of sockets) for (let i = 0; i < first && run.take(); i++) socket.send(payload);
      }
    } else if (e.type === 'close') {
      run.fail(new Error(`connection closed during the run: ${e.code} ${e.reason}`));
    }
  };
  const onError = (err: Error): void => run.fail(err);
  for (let i = 0; i < params.connections; i++) {
    subscriptions.push(connect(params.url).subscribe({ next: onEvent, error: onError }));
  }
  try {
    return await run.done;
  } finally {
    for (const s of subscriptions) s.unsubscribe();
  }
}

/** Echo through raw `ws` clients. */
export async function echoRaw(params: EchoParams): Promise<EchoResult> {
  const payload = makePayload(params.size, params.binary);
  const run = new EchoRun(params);
  const sockets: WebSocket[] = [];
  let open = 0;
  for (let i = 0; i < params.connections; i++) {
    const ws = new WebSocket(params.url, { perMessageDeflate: false });
    sockets.push(ws);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const message = isBinary ? data : data.toString();
      if (run.reply(message.length)) ws.send(payload);
    });
    ws.on('open', () => {
      if (++open === params.connections) {
        const first = run.start();
        for (const s of sockets) for (let j = 0; j < first && run.take(); j++) s.send(payload);
      }
    });
    ws.on('error', (err) => run.fail(err));
    ws.on('close', (code) => run.fail(new Error(`connection closed during the run: ${code}`)));
  }
  try {
    return await run.done;
  } finally {
    for (const ws of sockets) {
      ws.removeAllListeners('close');
      ws.on('error', () => undefined);
      ws.close();
    }
  }
}
