// Issue 15 item 1: connect() has a payload limit by default (100 MiB, as ws), counted after
// inflation, and refuses a maxPayload ws cannot hold (ws counts in a 32-bit signed integer).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { constants as zlibConstants, createDeflateRaw } from 'node:zlib';
import { lastValueFrom } from 'rxjs';
import WebSocket, { WebSocketServer } from 'ws';
import { connect, WebSocketError, type ConnectOptions } from 'rxws';
import { encodeFrame, Opcode } from '../helpers/raw-peer';
import type { ClientProbeReport } from './client-probe';
import { killProbesAfterEach, runProbe } from './probes';

const MiB = 1024 * 1024;

/** A permessage-deflate payload (RFC 7692 §7.2.1, without the trailing 00 00 ff ff) that inflates to `mib` MiB of zeros. */
async function deflateBomb(mib: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) if (!deflate.write(zeros)) await once(deflate, 'drain');
  await new Promise<void>((resolve) => deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
  deflate.close();
  const all = Buffer.concat(parts);
  return all.subarray(0, all.length - 4);
}

killProbesAfterEach();

const probe = (url: string, options: ConnectOptions): Promise<ClientProbeReport> => runProbe('client-probe.ts', { url, options });

async function optionsError(options: ConnectOptions): Promise<WebSocketError> {
  try {
    await lastValueFrom(connect('ws://127.0.0.1:9', options));
  } catch (err) {
    return err as WebSocketError;
  }
  throw new Error('connect() did not fail');
}

describe('connect(): maxPayload', () => {
  it.each([0.5, 0, -1, 2 ** 31, Number.NaN, Infinity])('refuses maxPayload %p with INVALID_OPTIONS saying what fits', async (maxPayload) => {
    const err = await optionsError({ maxPayload });
    expect(err.code).toBe('INVALID_OPTIONS');
    expect(err.reason).toMatch(/maxPayload must be a whole number of bytes from 1 to 2147483647/);
  });

  it('takes the largest maxPayload ws can count, 2^31 - 1', async () => {
    const err = await optionsError({ maxPayload: 2 ** 31 - 1 });
    expect(err.code).not.toBe('INVALID_OPTIONS');
  });

  describe('against a server sending a deflate bomb', () => {
    let server: WebSocketServer;
    let url: string;
    let bomb: Buffer;

    beforeAll(async () => {
      bomb = await deflateBomb(400);
    });

    beforeEach(async () => {
      server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
      await once(server, 'listening');
      url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // One compressed binary frame (RSV1) written under ws's sender: 1.8 MB on the wire, 400 MiB inflated.
      server.on('connection', (ws: WebSocket) => {
        const socket = (ws as unknown as { _socket: { write(b: Buffer): void } })._socket;
        socket.write(encodeFrame({ opcode: Opcode.BINARY, rsv: 4, payload: bomb }, undefined));
      });
    });

    afterEach(async () => {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    });

    it('stops inflating at the default 100 MiB: closes with 1009, never delivers it, its RSS grows by less than 200 MiB', async () => {
      const report = await probe(url, { perMessageDeflate: true });
      expect(report).toMatchObject({ outcome: 'close', code: 1009, receivedBytes: 0 });
      expect(report.reason).toMatch(/Max payload size exceeded/i);
      expect(report.rssGrowthBytes).toBeLessThan(200 * MiB); // unbounded, the 400 MiB would be held (and more)
    });

    it('applies a smaller maxPayload after inflation too', async () => {
      const report = await probe(url, { perMessageDeflate: true, maxPayload: 1 * MiB });
      expect(report).toMatchObject({ outcome: 'close', code: 1009, receivedBytes: 0 });
      expect(report.rssGrowthBytes).toBeLessThan(64 * MiB);
    });
  });
});
