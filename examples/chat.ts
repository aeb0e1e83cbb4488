// Group chat: a server relays each message to everyone else; two clients talk through it.
// Run: npx tsx examples/chat.ts
import { filter, firstValueFrom, map } from 'rxjs';
import { WebSocketClient } from 'rxws';
import { serve } from 'rxws/server';

interface ChatMessage {
  user: string;
  text: string;
}

/** A chat member: a reconnecting client, its incoming chat lines, and a way to talk. */
function member(url: string, user: string) {
  const client = new WebSocketClient({ url, queue: { maxMessages: 100 } });
  const heard$ = client.messages$.pipe(map((m) => JSON.parse(String(m.data)) as ChatMessage));
  const joined = firstValueFrom(client.events$.pipe(filter((e) => e.type === 'open')));
  client.start();
  return { joined, heard$, say: (text: string) => client.send(JSON.stringify({ user, text })), leave: () => client.stop() };
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  // The relay: each message goes to every other client.
  const server = serve({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((c) => c.messages$.subscribe((m) => server.broadcast(m.data, (other) => other !== c)));
  const { port } = await server.listening;

  const alice = member(`ws://127.0.0.1:${port}`, 'alice');
  const bob = member(`ws://127.0.0.1:${port}`, 'bob');
  await Promise.all([alice.joined, bob.joined]);

  const bobHears = firstValueFrom(bob.heard$);
  alice.say('hi bob!');
  const m1 = await bobHears;
  log(`bob sees ${m1.user}: ${m1.text}`);

  const aliceHears = firstValueFrom(alice.heard$);
  bob.say('hello alice');
  const m2 = await aliceHears;
  log(`alice sees ${m2.user}: ${m2.text}`);

  alice.leave();
  bob.leave();
  await server.close();
}

if (require.main === module) void main();
