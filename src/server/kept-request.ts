// What an accepted connection keeps of its handshake request, compactly: `connection.request`
// is made from it on first read. An idle server connection is mostly this, so it counts: Node's
// headers object holds a fresh string per value and the peer address read through
// `socket.remoteAddress` is cached on the socket as an object; kept here instead are one string
// shared by every connection whose request (URL, peer address, headers) is the same but for its
// Sec-WebSocket-Key, the key, and the peer port.
import type { Socket } from 'node:net';
import type { RawHeaders } from '../core/headers';
import type { ClientCertificate, ConnectionRequest } from './requests';

const KEY_HEADER = 'sec-websocket-key';

/** The peer address and port of an accepted socket ('' and 0 when the socket is already gone). */
export interface Peer {
  readonly address: string;
  readonly port: number;
}

/** The compact form: `head` is JSON `[url, remoteAddress, headers]` with the key's value left empty. */
export interface KeptRequest {
  readonly head: string;
  readonly key: string;
  readonly remotePort: number;
}

type PeerHandle = { getpeername?: (out: { address?: string; port?: number }) => number };

/**
 * The socket's peer, read now: it must stay readable after the socket has closed, when Node can
 * no longer tell it. Asked of the socket's handle (as Node's `remoteAddress` does) so that
 * nothing is cached on the socket, unless Node already holds it.
 */
export function peerOf(socket: Socket): Peer {
  const known = (socket as unknown as { _peername?: { address?: string; port?: number } })._peername;
  const handle = (socket as unknown as { _handle?: PeerHandle | null })._handle;
  if (known === undefined && typeof handle?.getpeername === 'function') {
    const out: { address?: string; port?: number } = {};
    if (handle.getpeername(out) === 0) return { address: out.address ?? '', port: out.port ?? 0 };
  }
  return { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
}

/**
 * Heads longer than this are kept as they are, not shared: with the capacity, the table holds
 * at most ~1 MiB however large the requests (a browser's head is ~0.5–1.5 KB; Node allows 16 KiB).
 */
const MAX_SHARED_LENGTH = 4 * 1024;

/**
 * A bounded table of the request heads seen lately, so that connections with the same head hold
 * one string. The oldest entry goes when it is full: sharing is lost for it, nothing else.
 */
export class SharedStrings {
  private readonly table = new Map<string, string>();

  constructor(private readonly capacity = 256) {}

  get size(): number {
    return this.table.size;
  }

  share(text: string): string {
    if (text.length > MAX_SHARED_LENGTH) return text;
    const shared = this.table.get(text);
    if (shared !== undefined) return shared;
    if (this.table.size >= this.capacity) this.table.delete(this.table.keys().next().value as string);
    this.table.set(text, text);
    return text;
  }
}

/** Keeps `url`, the peer and `headers` (Node's request headers, with the key: the upgrade was checked). */
export function keepRequest(url: string, headers: RawHeaders, peer: Peer, strings: SharedStrings): KeptRequest {
  const key = headers[KEY_HEADER] as string;
  // The key is base64 (checked), so it appears in the JSON as is, once: it is left empty there.
  const head = JSON.stringify([url, peer.address, headers]).replace(`"${KEY_HEADER}":"${key}"`, `"${KEY_HEADER}":""`);
  return { head: strings.share(head), key, remotePort: peer.port };
}

/** The url and headers of a kept request, as a new object each call. */
export function keptUrlAndHeaders(kept: KeptRequest): { url: string; remoteAddress: string; headers: Record<string, string | string[]> } {
  const [url, remoteAddress, headers] = JSON.parse(kept.head) as [string, string, Record<string, string | string[]>];
  headers[KEY_HEADER] = kept.key;
  return { url, remoteAddress, headers };
}

/** The public request object of a kept request. */
export function requestOf(kept: KeptRequest, protocol: string, certificate?: ClientCertificate): ConnectionRequest {
  const { url, remoteAddress, headers } = keptUrlAndHeaders(kept);
  return { url, headers, remoteAddress, remotePort: kept.remotePort, protocol, certificate };
}
