// rxws's client (connect) as the side under test: it connects to a raw server and echoes
// every message it receives.
import { connect, type WebSocketCloseEvent } from 'rxws';
import type { RawServer } from '../helpers/raw-peer';
import type { Opened, Target } from './runner';

export function clientTarget(server: RawServer): Target {
  return {
    name: 'client',
    async open({ maxPayload, deflate }): Promise<Opened> {
      let resolveClose!: (e: WebSocketCloseEvent | undefined) => void;
      const closeEvent = new Promise<WebSocketCloseEvent | undefined>((resolve) => (resolveClose = resolve));
      let resolveFailure!: (reason: string) => void;
      const failure = new Promise<string>((resolve) => (resolveFailure = resolve));
      server.answerExtensions = deflate ? (offer) => deflate.answer(offer) : undefined;
      const options = { ...(maxPayload ? { maxPayload } : {}), ...(deflate ? { perMessageDeflate: deflate.client } : {}) };
      const subscription = connect(server.url, options).subscribe({
        next: (e) => {
          if (e.type === 'message') e.socket.send(e.data);
          else if (e.type === 'close') resolveClose(e);
        },
        error: (err: unknown) => {
          resolveFailure(err instanceof Error ? err.message : String(err));
          resolveClose(undefined);
        },
        complete: () => resolveClose(undefined),
      });
      const peer = await server.nextPeer();
      return { peer, closeEvent, failure, dispose: () => subscription.unsubscribe() };
    },
  };
}
