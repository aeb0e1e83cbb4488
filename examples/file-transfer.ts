// File transfer with a checksum: the client sends a JSON header then the bytes; the server
// verifies size and SHA-256 and answers "ok" or the reason. (`rxws send`/`receive` do more.)
// Run: npx tsx examples/file-transfer.ts some-file
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { filter, firstValueFrom, map, tap } from 'rxjs';
import { connect } from 'rxws';
import { serve, type ServerConnection } from 'rxws/server';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Server side: one header (text), then one binary message with the content. */
function receiveFile(connection: ServerConnection, log: (line: string) => void): void {
  let header: { name: string; size: number; sha256: string } | undefined;
  connection.messages$.subscribe((m) => {
    if (!m.binary) return void (header = JSON.parse(m.data));
    if (!header) return void connection.send('error: no header');
    const ok = m.data.byteLength === header.size && sha256(m.data) === header.sha256;
    log(`server: ${header.name} ${m.data.byteLength} bytes, checksum ${ok ? 'verified' : 'MISMATCH'}`);
    connection.send(ok ? 'ok' : 'error: checksum mismatch');
  });
}

export async function main(file = __filename, log: (line: string) => void = console.log): Promise<string> {
  const server = serve({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((c) => receiveFile(c, log));
  const { port } = await server.listening;

  const content = readFileSync(file);
  const header = { name: basename(file), size: content.byteLength, sha256: sha256(content) };
  const answer = await firstValueFrom(
    connect(`ws://127.0.0.1:${port}`).pipe(
      tap((e) => {
        if (e.type === 'open') e.socket.send(JSON.stringify(header)), e.socket.send(content);
      }),
      filter((e) => e.type === 'message'),
      map((e) => String(e.data)),
    ),
  );
  log(`client: server says ${answer}`);
  await server.close();
  return answer;
}

if (require.main === module) void main(process.argv[2]);
