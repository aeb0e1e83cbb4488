// One rxws server instance with channels on redisHistory(), in its own process, driven by the test
// over IPC: `publish` (publishStored: answers the position), `drop` (cuts every client), `close`.
import { redisHistory } from 'rxws/redis';
import { channels, serve } from 'rxws/server';

/** What the test asks of an instance. */
export type HistoryInstanceRequest =
  | { id: number; op: 'publish'; channel: string; body: unknown }
  | { id: number; op: 'drop' }
  | { id: number; op: 'close' };

/** What an instance answers, and its events. */
export type HistoryInstanceReport =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string }
  | { event: 'listening'; port: number };

const report = (r: HistoryInstanceReport): void => void process.send?.(r);

const history = redisHistory({
  url: process.env.REDIS_URL,
  prefix: process.env.HISTORY_PREFIX,
  maxMessages: Number(process.env.HISTORY_MAX_MESSAGES ?? 100_000),
  reconnect: { maxWaitMs: 200 },
});
const server = serve({ host: '127.0.0.1', port: 0 });
const hub = channels(server, { history });
server.errors$.subscribe(() => undefined); // a failed publication is answered to the test, not here

void Promise.all([server.listening, history.ready]).then(([{ port }]) => report({ event: 'listening', port }));

process.on('message', (request: HistoryInstanceRequest) => {
  const { id } = request;
  if (request.op === 'publish') {
    hub.publishStored(request.channel, request.body).then(
      (value) => report({ id, ok: true, value }),
      (e: Error) => report({ id, ok: false, message: e.message }),
    );
  } else if (request.op === 'drop') {
    for (const connection of server.clients) connection.terminate();
    report({ id, ok: true, value: null });
  } else {
    hub.close();
    void Promise.all([server.close(), history.close()]).then(() => {
      report({ id, ok: true, value: null });
      process.disconnect();
    });
  }
});
