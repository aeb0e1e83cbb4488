// A second rxws instance in its own process for spec/client/channels-network.spec.ts: a server
// with the Redis adapter and channels(), publishing on the channel the test names over IPC.
import { redisAdapter } from 'rxws/redis';
import { channels, serve } from 'rxws/server';

/** What the test asks: publish `body` on channel `name`, or stop. */
export type PublisherRequest = { op: 'publish'; name: string; body: unknown } | { op: 'close' };
/** What the instance reports. */
export type PublisherReport = { event: 'ready' } | { event: 'published'; local: number } | { event: 'error'; message: string };

const send = (report: PublisherReport): void => {
  process.send?.(report);
};

const adapter = redisAdapter({ url: process.env.REDIS_URL, channel: process.env.REDIS_CHANNEL });
const server = serve({ host: '127.0.0.1', port: 0, adapter });
const hub = channels(server);
server.errors$.subscribe(({ error }) => send({ event: 'error', message: error instanceof Error ? error.message : String(error) }));
adapter.status$.subscribe((status) => status === 'ready' && send({ event: 'ready' }));

process.on('message', (request: PublisherRequest) => {
  if (request.op === 'publish') send({ event: 'published', local: hub.publish(request.name, request.body) });
  else void server.close().then(() => process.disconnect());
});
