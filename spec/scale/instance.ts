// One rxws server instance with the Redis adapter, in its own process, driven by the test over IPC.
// Clients join the topics named in `?topics=a,b`; a client message `leave:T` leaves T (answered
// `left:T`), `chat:T:text` broadcasts `text` to topic T except the sender.
import type { SendData } from 'rxws';
import { redisAdapter, RedisAdapterError } from 'rxws/redis';
import { serve, type BroadcastOptions } from 'rxws/server';

/** What the test asks of an instance. */
export type InstanceRequest =
  | { id: number; op: 'publish' | 'broadcast'; data: SendData; options?: BroadcastOptions }
  | { id: number; op: 'close' };

/** What an instance reports: answers to requests, and events. */
export type InstanceReport =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; code: string; message: string }
  | { event: 'listening'; port: number }
  | { event: 'status'; status: string }
  | { event: 'error'; code: string; message: string };

const send = (report: InstanceReport): void => {
  process.send?.(report);
};

const adapter = redisAdapter({ url: process.env.REDIS_URL, channel: process.env.REDIS_CHANNEL, reconnect: { maxWaitMs: 200 } });
const server = serve({ host: '127.0.0.1', port: 0, adapter });

server.connections$.subscribe((conn) => {
  const topics = new URL(conn.request.url, 'ws://x').searchParams.get('topics') ?? '';
  for (const topic of topics.split(',').filter(Boolean)) conn.join(topic);
  conn.messages$.subscribe(({ data }) => {
    if (typeof data !== 'string') return;
    const [command, topic, ...text] = data.split(':');
    if (command === 'leave') {
      conn.leave(topic);
      conn.send(`left:${topic}`);
    } else if (command === 'chat') {
      server.broadcast(text.join(':'), { topic, except: conn });
    }
  });
});
server.errors$.subscribe(({ error }) => {
  const code = error instanceof RedisAdapterError ? error.code : 'OTHER';
  send({ event: 'error', code, message: error instanceof Error ? error.message : String(error) });
});
adapter.status$.subscribe((status) => send({ event: 'status', status }));
void server.listening.then(({ port }) => send({ event: 'listening', port }));

process.on('message', (request: InstanceRequest) => {
  const { id } = request;
  if (request.op === 'close') {
    void server.close().then(() => {
      send({ id, ok: true, value: null });
      process.disconnect();
    });
  } else if (request.op === 'broadcast') {
    send({ id, ok: true, value: server.broadcast(request.data, request.options) });
  } else {
    server.publish(request.data, request.options).then(
      (value) => send({ id, ok: true, value }),
      (e: RedisAdapterError) => send({ id, ok: false, code: e.code, message: e.message }),
    );
  }
});
