// Opens one connection, sends messages on open, and resolves with the open event and the
// replies once as many replies as messages have come; then unsubscribes (close 1000).
import { connect, type ConnectOptions, type WebSocketError, type WebSocketOpenEvent } from 'rxws';

/** What came back through one connection. */
export interface EchoResult {
  open: WebSocketOpenEvent;
  replies: Array<string | Uint8Array>;
}

/** Sends `messages` after open and waits for as many replies; rejects with the connection's error. */
export function echoThrough(url: string, options: ConnectOptions, messages: ReadonlyArray<string | Uint8Array>): Promise<EchoResult> {
  return new Promise((resolve, reject) => {
    let open: WebSocketOpenEvent | undefined;
    const replies: Array<string | Uint8Array> = [];
    const subscription = connect(url, options).subscribe({
      next: (e) => {
        if (e.type === 'open') {
          open = e;
          for (const m of messages) e.socket.send(m);
        } else if (e.type === 'message') {
          replies.push(e.data);
          if (replies.length === messages.length && open) {
            resolve({ open, replies });
            setImmediate(() => subscription.unsubscribe());
          }
        } else if (e.type === 'close') {
          reject(new Error(`closed (${e.code} ${e.reason}) after ${replies.length} of ${messages.length} replies`));
        }
      },
      error: (err: WebSocketError) => reject(err),
      complete: () => reject(new Error('completed before the replies came')),
    });
  });
}

/** The error a connection fails with; rejects when it opens instead. */
export function failureOf(url: string, options: ConnectOptions): Promise<WebSocketError> {
  return new Promise((resolve, reject) => {
    const subscription = connect(url, options).subscribe({
      next: (e) => {
        if (e.type === 'open') {
          reject(new Error(`opened${e.proxy ? ` through ${e.proxy}` : ' directly'} instead of failing`));
          setImmediate(() => subscription.unsubscribe());
        }
      },
      error: (err: WebSocketError) => resolve(err),
    });
  });
}
