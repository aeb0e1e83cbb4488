import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { filter, firstValueFrom, take, tap } from 'rxjs';
import { connect, type WebSocketMessageEvent } from 'rxws';
import { useTestCertificates } from '../helpers/certs';
import { closeAll, nextConnection, start } from './peers';

afterEach(closeAll);

describe('serve() with tls', () => {
  const certs = useTestCertificates();

  it('serves wss:, and exposes the verified client certificate when caFile asks for one', async () => {
    const { server: pair, ca, client } = certs();
    const { server, port } = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.certFile } });
    server.connections$.subscribe((c) => c.messages$.subscribe((m) => c.send(m.data)));
    const accepted = nextConnection(server);
    const reply = await firstValueFrom(
      connect(`wss://127.0.0.1:${port}/secure`, { tls: { caFile: ca.cert, certFile: client.certFile, keyFile: client.keyFile } }).pipe(
        tap((e) => e.type === 'open' && e.socket.send('over tls')),
        filter((e): e is WebSocketMessageEvent => e.type === 'message'),
        take(1),
      ),
    );
    expect(reply.data).toBe('over tls');
    const cert = (await accepted).request.certificate;
    expect(cert?.subject.CN).toBe('rxws test client');
    expect(cert?.issuer.CN).toBe('rxws test CA');
    expect(cert?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(cert?.validFrom).toBeInstanceOf(Date);
    expect(cert!.validTo.getTime()).toBeGreaterThan(Date.now());
  });

  it('answers a client without a certificate 403 on a kept-alive plain HTTP request, and closes the connection', async () => {
    const { server: pair, ca } = certs();
    const { port } = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.certFile } });
    const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.cert, servername: 'localhost' });
    socket.on('error', () => undefined);
    await once(socket, 'secureConnect');
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'close');
    const answer = Buffer.concat(chunks).toString();
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toMatch(/\r\n\r\nClient certificate required: /);
  });

  it('drops a TCP client that never starts the TLS handshake within handshakeTimeoutMs', async () => {
    const { server: pair } = certs();
    const { port } = await start({ tls: { certFile: pair.certFile, keyFile: pair.keyFile }, handshakeTimeoutMs: 200 });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    await once(socket, 'close');
    expect(socket.bytesRead).toBe(0);
  });
});
