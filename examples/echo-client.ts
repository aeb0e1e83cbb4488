// An echo client: sends a few messages and prints what comes back, then closes.
// Run: npx tsx examples/echo-client.ts ws://127.0.0.1:8008
import { filter, firstValueFrom, map, take, tap, toArray } from 'rxjs';
import { connect } from 'rxws';

export async function main(url = 'ws://127.0.0.1:8008', log: (line: string) => void = console.log): Promise<string[]> {
  const words = ['hello', 'reactive', 'world'];
  const echoes$ = connect(url).pipe(
    tap((event) => {
      if (event.type === 'open') for (const word of words) event.socket.send(word);
    }),
    filter((event) => event.type === 'message'),
    map((event) => String(event.data)),
    tap((text) => log(`echo: ${text}`)),
    take(words.length), // unsubscribing after the last echo closes the connection (1000)
    toArray(),
  );
  return firstValueFrom(echoes$);
}

if (require.main === module) {
  main(process.argv[2]).catch((err: { reason?: string }) => {
    console.error(err.reason ?? err);
    process.exitCode = 1;
  });
}
