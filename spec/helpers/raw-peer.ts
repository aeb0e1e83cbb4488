// A WebSocket peer on raw TCP that reads and writes frames byte by byte (RFC 6455 §5.2), so
// tests can send what no well-behaved library would: reserved bits, bad opcodes, broken UTF-8,
// wrong masking. It acts as a server (for rxws's client) or as a client (for rxws's server).
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';

/** Frame opcodes of RFC 6455 §5.2. */
export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A frame as read from the wire, unmasked. */
export interface Frame {
  fin: boolean;
  /** RSV1..RSV3 as a 3-bit number (RSV1 = 4). */
  rsv: number;
  opcode: number;
  masked: boolean;
  maskKey: Buffer | undefined;
  payload: Buffer;
}

/** A frame to write. Defaults: fin true, rsv 0, masked as the peer's role requires. */
export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  rsv?: number;
  /** Mask against the role (a server masking, a client not masking): a protocol error. */
  wrongMask?: boolean;
}

/** The payload of a close frame: a 2-byte code, then the reason. */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, Buffer.from(reason)]);
}

/** The close code a close frame carries: 1005 when it has none (RFC 6455 §7.1.5). */
export function closeCodeOf(frame: Frame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}

/** Encodes one frame; `maskKey` masks it (client to server), undefined leaves it plain. */
export function encodeFrame(spec: FrameSpec, maskKey: Buffer | undefined): Buffer {
  const payload = Buffer.from(spec.payload ?? '');
  const len = payload.length;
  const lengthBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + (maskKey ? 4 : 0));
  head[0] = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode;
  head[1] = (maskKey ? 0x80 : 0) | (lengthBytes === 0 ? len : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) head.writeUInt16BE(len, 2);
  if (lengthBytes === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!maskKey) return Buffer.concat([head, payload]);
  maskKey.copy(head, 2 + lengthBytes);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i] ^ maskKey[i & 3];
  return Buffer.concat([head, masked]);
}

/** Incremental frame decoder: feed chunks, get whole frames. */
export class FrameParser {
  // Chunks are kept apart until a whole frame has arrived: concatenating on every chunk would
  // copy a 16 MiB frame hundreds of times.
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Bytes the next frame needs before it is worth looking at again. */
  private needed = 2;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    const frames: Frame[] = [];
    while (this.bufferedBytes >= this.needed) {
      const b = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bufferedBytes);
      this.chunks = [b];
      const taken = this.take(b);
      if (typeof taken === 'number') this.needed = taken;
      else {
        frames.push(taken.frame);
        const rest = b.subarray(taken.size);
        this.chunks = rest.length ? [rest] : [];
        this.bufferedBytes = rest.length;
        this.needed = 2;
      }
    }
    return frames;
  }

  /** The first frame of `b` and its size on the wire, or how many bytes it needs. */
  private take(b: Buffer): { frame: Frame; size: number } | number {
    if (b.length < 2) return 2;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (b.length < 4) return 4;
      len = b.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (b.length < 10) return 10;
      len = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    if (masked) offset += 4;
    if (b.length < offset + len) return offset + len;
    const maskKey = masked ? Buffer.from(b.subarray(offset - 4, offset)) : undefined;
    const payload = Buffer.from(b.subarray(offset, offset + len));
    if (maskKey) for (let i = 0; i < len; i++) payload[i] ^= maskKey[i & 3];
    const frame = { fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 7, opcode: b[0] & 0x0f, masked, maskKey, payload };
    return { frame, size: offset + len };
  }
}

/** The two heads of an opening handshake, as written on the wire (up to the blank line). */
export interface Handshake {
  request: string;
  response: string;
}

/** One raw connection after the opening handshake. */
export class RawPeer {
  /** Every frame received so far, in order. */
  readonly received: Frame[] = [];
  /** Resolves when the TCP connection has closed. */
  readonly ended: Promise<void>;
  /** The request target of the opening handshake (`/runCase?case=1`), on a raw server's peers. */
  path = '';
  private readonly parser = new FrameParser();
  private unread = 0;
  private wake: (() => void) | undefined;
  private isEnded = false;

  constructor(
    readonly socket: net.Socket,
    readonly role: 'server' | 'client',
    leftover: Buffer,
    /** The opening handshake that led here (its extension headers, for permessage-deflate). */
    readonly handshake: Handshake = { request: '', response: '' },
  ) {
    socket.setNoDelay(true);
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.once('close', () => {
      this.isEnded = true;
      this.wake?.();
    });
    if (leftover.length) this.onData(leftover);
  }

  private onData(chunk: Buffer): void {
    const frames = this.parser.push(chunk);
    this.received.push(...frames);
    this.unread += frames.length;
    if (frames.length) this.wake?.();
  }

  /** Encodes frames as this role must (clients mask with a fresh key; servers do not). */
  encode(spec: FrameSpec): Buffer {
    const shouldMask = (this.role === 'client') !== (spec.wrongMask === true);
    return encodeFrame(spec, shouldMask ? randomBytes(4) : undefined);
  }

  /** Writes frames; with `chunkSize` the bytes go out in writes of that size (1 = byte by byte). */
  async send(specs: FrameSpec[], chunkSize?: number): Promise<void> {
    const bytes = Buffer.concat(specs.map((s) => this.encode(s)));
    if (chunkSize === undefined) return this.write(bytes);
    for (let i = 0; i < bytes.length && !this.isEnded; i += chunkSize) await this.write(bytes.subarray(i, i + chunkSize));
  }

  /** Writes raw bytes (and resolves once they are handed to the kernel). */
  write(bytes: Buffer): Promise<void> {
    if (this.isEnded || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** The next unread frame, or undefined when the connection ended or `timeoutMs` passed first. */
  async next(timeoutMs = 5000): Promise<Frame | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.unread === 0 && !this.isEnded && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    if (this.unread === 0) return undefined;
    return this.received[this.received.length - this.unread--];
  }

  /** Half-closes the TCP connection (FIN). */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Reads an HTTP head (up to the blank line); resolves with the head and the bytes after it. */
function readHead(socket: net.Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      socket.pause();
      resolve({ head: buffered.subarray(0, end).toString('latin1'), rest: buffered.subarray(end + 4) });
    };
    const onClose = (): void => reject(new Error('connection closed during the opening handshake'));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** A header of an HTTP head; repeated headers are joined with ', ' (RFC 9110 §5.3). */
export function headerValue(head: string, name: string): string | undefined {
  const values = head
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'))
    .map((l) => l.slice(name.length + 1).trim());
  return values.length ? values.join(', ') : undefined;
}

const acceptOf = (key: string): string => createHash('sha1').update(key + GUID).digest('base64');

/** A raw server on 127.0.0.1: answers the upgrade with 101 and hands each peer out. */
export interface RawServer {
  readonly port: number;
  readonly url: string;
  /**
   * Answers the Sec-WebSocket-Extensions offer of the next handshakes (undefined: none offered):
   * the header value to send back, or undefined to accept no extension. Default: none accepted.
   */
  answerExtensions: ((offer: string | undefined) => string | undefined) | undefined;
  /** The next connection to finish the opening handshake. */
  nextPeer(): Promise<RawPeer>;
  close(): Promise<void>;
}

export async function startRawServer(): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const ready: RawPeer[] = [];
  const waiting: Array<(peer: RawPeer) => void> = [];
  let raw: RawServer | undefined;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    readHead(socket).then(({ head, rest }) => {
      const key = headerValue(head, 'sec-websocket-key') ?? '';
      const extensions = raw?.answerExtensions?.(headerValue(head, 'sec-websocket-extensions'));
      const response =
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${acceptOf(key)}` +
        (extensions === undefined ? '' : `\r\nSec-WebSocket-Extensions: ${extensions}`);
      socket.write(`${response}\r\n\r\n`);
      const peer = new RawPeer(socket, 'server', rest, { request: head, response });
      peer.path = head.split(' ')[1] ?? '';
      socket.resume();
      const waiter = waiting.shift();
      if (waiter) waiter(peer);
      else ready.push(peer);
    }, () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  raw = {
    port,
    url: `ws://127.0.0.1:${port}`,
    answerExtensions: undefined,
    nextPeer: () => {
      const peer = ready.shift();
      return peer ? Promise.resolve(peer) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return raw;
}

/** What a raw client adds to its opening handshake. */
export interface RawClientOptions {
  /** A Sec-WebSocket-Extensions header to offer (e.g. permessage-deflate parameters). */
  extensions?: string;
}

/** Opens a raw client connection to a WebSocket server and completes the opening handshake. */
export async function connectRawClient(port: number, host = '127.0.0.1', path = '/', options: RawClientOptions = {}): Promise<RawPeer> {
  const socket = net.connect({ port, host });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  const request =
    `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13` +
    (options.extensions === undefined ? '' : `\r\nSec-WebSocket-Extensions: ${options.extensions}`);
  socket.write(`${request}\r\n\r\n`);
  const { head, rest } = await readHead(socket);
  if (!head.startsWith('HTTP/1.1 101 ')) {
    socket.destroy();
    throw new Error(`expected 101 Switching Protocols, got: ${head.split('\r\n')[0]}`);
  }
  if (headerValue(head, 'sec-websocket-accept') !== acceptOf(key)) {
    socket.destroy();
    throw new Error('the server answered with a wrong Sec-WebSocket-Accept');
  }
  const peer = new RawPeer(socket, 'client', rest, { request, response: head });
  socket.resume();
  return peer;
}
