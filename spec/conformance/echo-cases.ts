// Autobahn's cases that exchange whole messages: 9 (limits and performance: large messages,
// many fragments, many small writes, many round trips) and 12, 13 (permessage-deflate with
// Autobahn's message sizes and every parameter combination of its group 13). Each message is
// sent, its echo awaited and compared, then the next sent, as Autobahn does.
import type { PerMessageDeflateOptions } from 'rxws';
import { agreedParams, formatExtension, parseExtensions, type DeflateParams, type ExtensionOffer } from './deflate';
import type { Group } from './cases';
import type { DeflateSetup } from './runner';
import { COMPRESSION_DATA } from './test-data';

export interface EchoCase {
  kind: 'echo';
  id: string;
  group: Group;
  title: string;
  /** The messages: `count` of `size` bytes each, cut from `data` one after the other (wrapping). */
  data: () => Buffer;
  binary: boolean;
  size: number;
  count: number;
  /** Frame payload size each message (compressed or not) is cut into; 0 = one frame. */
  fragmentSize: number;
  /** Write in chops of this many bytes (0 = as it comes). */
  chopSize: number;
  maxPayload?: number;
  deflate?: DeflateSetup;
  /** Whether permessage-deflate must be agreed; undefined: no extension is offered. */
  expectDeflate?: boolean;
  /** Time for the whole case. */
  timeoutMs: number;
  /** A close with this code instead of an echo is NON-STRICT, for this reason (a limit of rxws's). */
  nonStrict?: { close: number; reason: string };
  /** Parameters the handshake must have agreed on. */
  expectParams?: Partial<DeflateParams>;
  /** Only against this side (default both). */
  only?: 'client' | 'server';
  /** connect() must refuse the raw server's answer: its error reason must match this. */
  refusal?: RegExp;
}

/**
 * Autobahn sends 1000 messages in each case of groups 12 and 13, and in 9.7 / 9.8. The suite
 * sends fewer (at least 2, so context takeover from one message to the next is used, and at
 * most 256 KiB a case); RXWS_CONFORMANCE_FULL=1 sends Autobahn's 1000.
 */
const FULL = process.env.RXWS_CONFORMANCE_FULL === '1';
/** Time for one case: Autobahn allows up to 480 s for its 1000 messages. */
export const CASE_TIMEOUT_MS = FULL ? 480_000 : 20_000;
const scaled = (size: number, autobahnCount: number): number => (FULL ? autobahnCount : Math.max(2, Math.min(50, Math.floor((256 * 1024) / Math.max(size, 1)))));

const cases: EchoCase[] = [];
const KiB = 1024;
const MiB = 1024 * KiB;
const textData = (n: number) => () => Buffer.alloc(n, '*');
const binaryData = (n: number) => () => Buffer.alloc(n, 0xfe);
const sizeName = (n: number): string => (n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} bytes`);

// 9 Limits and performance (Autobahn 9.1 – 9.8), with maxPayload set on the side under test to
// the largest message sent: equal is allowed.
const G9: Group = '9 Limits';
const maxPayload = 16 * MiB;
const base = { kind: 'echo' as const, group: G9, maxPayload, chopSize: 0, fragmentSize: 0, count: 1, timeoutMs: CASE_TIMEOUT_MS };
[64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB].forEach((size, i) => {
  cases.push({ ...base, id: `9.1.${i + 1}`, title: `text message of ${sizeName(size)}`, data: textData(size), binary: false, size });
  cases.push({ ...base, id: `9.2.${i + 1}`, title: `binary message of ${sizeName(size)}`, data: binaryData(size), binary: true, size });
});
/** ws (under rxws, both sides) takes at most 16384 fragments in one message: a guard against tiny frames. */
const MAX_FRAGMENTS = 16_384;
const tooManyFragments = {
  close: 1008,
  reason: `closed with 1008 "Too many message fragments": rxws takes at most ${MAX_FRAGMENTS} fragments in one message, and this one has 65536`,
};
[64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB].forEach((fragmentSize, i) => {
  const size = 4 * MiB;
  const limit = size / fragmentSize > MAX_FRAGMENTS ? { nonStrict: tooManyFragments } : {};
  cases.push({ ...base, ...limit, id: `9.3.${i + 1}`, title: `4 MiB text in fragments of ${sizeName(fragmentSize)}`, data: textData(size), binary: false, size, fragmentSize });
  cases.push({ ...base, ...limit, id: `9.4.${i + 1}`, title: `4 MiB binary in fragments of ${sizeName(fragmentSize)}`, data: binaryData(size), binary: true, size, fragmentSize });
});
[64, 128, 256, 512, 1024, 2048].forEach((chopSize, i) => {
  const size = MiB;
  cases.push({ ...base, id: `9.5.${i + 1}`, title: `1 MiB text written in chops of ${chopSize} bytes`, data: textData(size), binary: false, size, chopSize });
  cases.push({ ...base, id: `9.6.${i + 1}`, title: `1 MiB binary written in chops of ${chopSize} bytes`, data: binaryData(size), binary: true, size, chopSize });
});
[0, 16, 64, 256, 1024, 4096].forEach((size, i) => {
  const count = FULL ? 1000 : 100;
  cases.push({ ...base, id: `9.7.${i + 1}`, title: `${count} text messages of ${sizeName(size)}, one round trip each`, data: textData(size), binary: false, size, count });
  cases.push({ ...base, id: `9.8.${i + 1}`, title: `${count} binary messages of ${sizeName(size)}, one round trip each`, data: binaryData(size), binary: true, size, count });
});

// 12, 13 permessage-deflate. Autobahn's message sizes and fragment sizes, in its order.
const MSG_SIZES: Array<[size: number, fragmentSize: number]> = [
  [16, 0], [64, 0], [256, 0], [KiB, 0], [4 * KiB, 0], [8 * KiB, 0], [16 * KiB, 0], [32 * KiB, 0], [64 * KiB, 0], [128 * KiB, 0],
  [8 * KiB, 256], [16 * KiB, 256], [32 * KiB, 256], [64 * KiB, 256], [128 * KiB, 256], [128 * KiB, KiB], [128 * KiB, 4 * KiB], [128 * KiB, 32 * KiB],
];

/**
 * A client offer as Autobahn makes them: it accepts client_no_context_takeover and
 * client_max_window_bits from the server, and may ask for server_no_context_takeover and a
 * server_max_window_bits.
 */
interface Offer {
  serverNoContextTakeover: boolean;
  serverMaxWindowBits: number; // 0: not asked
}
const offerHeader = (o: Offer): Array<[string, string | true]> => [
  ['client_no_context_takeover', true],
  ['client_max_window_bits', true],
  ...(o.serverNoContextTakeover ? [['server_no_context_takeover', true] as [string, true]] : []),
  ...(o.serverMaxWindowBits ? [['server_max_window_bits', String(o.serverMaxWindowBits)] as [string, string]] : []),
];
/** connect()'s options that make the same offer. */
const clientOptions = (o: Offer): PerMessageDeflateOptions => ({
  threshold: 0,
  clientNoContextTakeover: true,
  ...(o.serverNoContextTakeover ? { serverNoContextTakeover: true } : {}),
  ...(o.serverMaxWindowBits ? { serverMaxWindowBits: o.serverMaxWindowBits } : {}),
});

/**
 * How Autobahn's server answers an offer it accepts: it grants what the client asked for
 * (server_no_context_takeover, server_max_window_bits), and may ask the client for
 * client_no_context_takeover and a client_max_window_bits (if the offer allows them).
 */
interface Accept {
  clientNoContextTakeover: boolean;
  clientMaxWindowBits: number; // 0: not asked
  describe: string;
}
function answerTo(offer: ExtensionOffer, a: Accept): string | undefined {
  const has = (k: string): boolean => offer.params.some(([key]) => key === k);
  if (offer.name !== 'permessage-deflate') return undefined;
  if (a.clientNoContextTakeover && !has('client_no_context_takeover')) return undefined;
  if (a.clientMaxWindowBits && !has('client_max_window_bits')) return undefined;
  const params = offer.params.filter(([k]) => k === 'server_no_context_takeover' || k === 'server_max_window_bits');
  if (a.clientNoContextTakeover) params.push(['client_no_context_takeover', true]);
  if (a.clientMaxWindowBits) params.push(['client_max_window_bits', String(a.clientMaxWindowBits)]);
  const answer = { name: offer.name, params };
  return typeof agreedParams(offer, answer) === 'string' ? undefined : formatExtension(params);
}
/** The first of `accepts` that takes the first offer it can. */
const answerWith = (accepts: Accept[]) => (header: string | undefined): string | undefined => {
  for (const a of accepts) for (const offer of parseExtensions(header)) {
    const answer = answerTo(offer, a);
    if (answer !== undefined) return answer;
  }
  return undefined;
};

const accept = (clientNoContextTakeover: boolean, clientMaxWindowBits: number): Accept => ({
  clientNoContextTakeover,
  clientMaxWindowBits,
  describe: `(${clientNoContextTakeover ? 'client_no_context_takeover' : 'context takeover'}${clientMaxWindowBits ? `, client_max_window_bits=${clientMaxWindowBits}` : ''})`,
});
const offer = (serverNoContextTakeover: boolean, serverMaxWindowBits: number): Offer => ({ serverNoContextTakeover, serverMaxWindowBits });

/** Autobahn's 13.1 … 13.7: the client's offers and the server's answer. */
const PARAMETER_SETS: Array<{ offers: Offer[]; accepts: Accept[] }> = [
  { offers: [offer(false, 0)], accepts: [accept(false, 0)] },
  { offers: [offer(true, 0)], accepts: [accept(true, 0)] },
  { offers: [offer(false, 8)], accepts: [accept(false, 8)] },
  { offers: [offer(false, 15)], accepts: [accept(false, 15)] },
  { offers: [offer(true, 8)], accepts: [accept(true, 8)] },
  { offers: [offer(true, 15)], accepts: [accept(true, 15)] },
  { offers: [offer(true, 8), offer(true, 0), offer(false, 0)], accepts: [accept(true, 8), accept(true, 0), accept(false, 0)] },
];

function describeOffers(offers: Offer[]): string {
  return offers.map((o) => `[${[o.serverNoContextTakeover ? 'server_no_context_takeover' : '', o.serverMaxWindowBits ? `server_max_window_bits=${o.serverMaxWindowBits}` : ''].filter(Boolean).join(', ') || 'default'}]`).join(' ');
}

/**
 * serve() accepts as ws does; every message is compressed (threshold 0) so that short ones go
 * through zlib too. connect() offers the first of the offers (it makes one).
 */
function setup(offers: Offer[], accepts: Accept[]): DeflateSetup {
  return {
    offer: offers.map((o) => formatExtension(offerHeader(o))).join(', '),
    answer: answerWith(accepts),
    server: { threshold: 0 },
    client: clientOptions(offers[0]),
  };
}

COMPRESSION_DATA.forEach((set, j) => {
  const data = set.make;
  MSG_SIZES.forEach(([size, fragmentSize], i) => {
    cases.push({
      kind: 'echo',
      id: `12.${j + 1}.${i + 1}`,
      group: '12 Compression',
      title: `${set.title}: ${scaled(size, 1000)} messages of ${sizeName(size)}${fragmentSize ? `, fragments of ${sizeName(fragmentSize)}` : ''}, default offer`,
      data,
      binary: set.binary,
      size,
      count: scaled(size, 1000),
      fragmentSize,
      chopSize: 0,
      deflate: setup([offer(false, 0)], [accept(false, 0)]),
      expectDeflate: true,
      timeoutMs: CASE_TIMEOUT_MS,
    });
  });
});

PARAMETER_SETS.forEach(({ offers, accepts }, j) => {
  const json = COMPRESSION_DATA[0];
  MSG_SIZES.forEach(([size, fragmentSize], i) => {
    cases.push({
      kind: 'echo',
      id: `13.${j + 1}.${i + 1}`,
      group: '13 Compression parameters',
      title: `offers ${describeOffers(offers)}, answer ${accepts.map((a) => a.describe).join(' or ')}: ${scaled(size, 1000)} messages of ${sizeName(size)}${fragmentSize ? `, fragments of ${sizeName(fragmentSize)}` : ''}`,
      data: json.make,
      binary: json.binary,
      size,
      count: scaled(size, 1000),
      fragmentSize,
      chopSize: 0,
      deflate: setup(offers, accepts),
      expectDeflate: true,
      timeoutMs: CASE_TIMEOUT_MS,
    });
  });
});

export const ECHO_CASES: readonly EchoCase[] = cases;
