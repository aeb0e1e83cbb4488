// The raw peer's permessage-deflate side (RFC 7692): reading and checking offers and answers,
// and compressing and inflating messages with the agreed window bits and context takeover.
import zlib from 'node:zlib';

/** One extension of a Sec-WebSocket-Extensions header: its name and parameters, in order. */
export interface ExtensionOffer {
  name: string;
  params: Array<[string, string | true]>;
}

/** What both ends agreed on (RFC 7692 §7.1); window bits are 15 when not limited. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** The empty deflate block a sync flush ends with, removed from every message (RFC 7692 §7.2.1). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const NAME = 'permessage-deflate';

/** Splits a Sec-WebSocket-Extensions header into extensions (RFC 6455 §9.1; quoted values unquoted). */
export function parseExtensions(header: string | undefined): ExtensionOffer[] {
  if (header === undefined || header.trim() === '') return [];
  return header.split(',').map((ext) => {
    const [name, ...params] = ext.split(';').map((p) => p.trim());
    return {
      name,
      params: params.map((p): [string, string | true] => {
        const eq = p.indexOf('=');
        return eq < 0 ? [p, true] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')];
      }),
    };
  });
}

/** Writes one permessage-deflate extension with its parameters. */
export function formatExtension(params: Array<[string, string | true]>): string {
  return [NAME, ...params.map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; ');
}

const isBits = (v: string | true): boolean => typeof v === 'string' && /^(8|9|1[0-5])$/.test(v);

/** Why a permessage-deflate offer is not one RFC 7692 §7.1 allows, or undefined if it is. */
export function offerProblem(offer: ExtensionOffer): string | undefined {
  const seen = new Set<string>();
  for (const [key, value] of offer.params) {
    if (seen.has(key)) return `parameter ${key} appears twice`;
    seen.add(key);
    if (key === 'server_no_context_takeover' || key === 'client_no_context_takeover') {
      if (value !== true) return `${key} takes no value`;
    } else if (key === 'server_max_window_bits') {
      if (!isBits(value)) return `server_max_window_bits=${String(value)} is not 8..15`;
    } else if (key === 'client_max_window_bits') {
      if (value !== true && !isBits(value)) return `client_max_window_bits=${value} is not 8..15`;
    } else return `unknown parameter ${key}`;
  }
  return undefined;
}

const param = (ext: ExtensionOffer, key: string): string | true | undefined => ext.params.find(([k]) => k === key)?.[1];

/**
 * Checks an answer against the offer it accepts (RFC 7692 §7.1.1, §7.1.2) and returns the
 * agreed parameters, or what is wrong with the answer.
 */
export function agreedParams(offer: ExtensionOffer, answer: ExtensionOffer): DeflateParams | string {
  const problem = offerProblem(answer);
  if (problem) return `the answer is not valid: ${problem}`;
  const offeredServerBits = param(offer, 'server_max_window_bits');
  const answeredServerBits = param(answer, 'server_max_window_bits');
  const offeredClientBits = param(offer, 'client_max_window_bits');
  const answeredClientBits = param(answer, 'client_max_window_bits');
  if (answeredClientBits === true) return 'client_max_window_bits in an answer needs a value (§7.1.2.2)';
  if (param(offer, 'server_no_context_takeover') && !param(answer, 'server_no_context_takeover')) {
    return 'server_no_context_takeover was offered but the answer lacks it (§7.1.1.1)';
  }
  if (typeof offeredServerBits === 'string') {
    if (answeredServerBits === undefined) return `server_max_window_bits=${offeredServerBits} was offered but the answer lacks it (§7.1.2.1)`;
    if (Number(answeredServerBits) > Number(offeredServerBits)) return `server_max_window_bits=${String(answeredServerBits)} is more than the ${offeredServerBits} offered`;
  }
  if (answeredClientBits !== undefined) {
    if (offeredClientBits === undefined) return 'client_max_window_bits was not offered, so the answer must not have it (§7.1.2.2)';
    if (typeof offeredClientBits === 'string' && Number(answeredClientBits) > Number(offeredClientBits)) {
      return `client_max_window_bits=${answeredClientBits} is more than the ${offeredClientBits} offered`;
    }
  }
  return {
    serverNoContextTakeover: param(answer, 'server_no_context_takeover') === true,
    clientNoContextTakeover: param(answer, 'client_no_context_takeover') === true,
    serverMaxWindowBits: answeredServerBits === undefined ? 15 : Number(answeredServerBits),
    clientMaxWindowBits:
      answeredClientBits !== undefined ? Number(answeredClientBits) : typeof offeredClientBits === 'string' ? Number(offeredClientBits) : 15,
  };
}

/**
 * Reads a server's answer to the permessage-deflate offers of a client: the agreed parameters,
 * undefined when the server declined every offer, or what is wrong with the answer.
 */
export function negotiatedAsClient(offered: string, answered: string | undefined): DeflateParams | undefined | string {
  const answers = parseExtensions(answered);
  if (answers.length === 0) return undefined;
  if (answers.length > 1 || answers[0].name !== NAME) return `unexpected extensions in the answer: ${answered ?? ''}`;
  const problems: string[] = [];
  for (const offer of parseExtensions(offered)) {
    const agreed = agreedParams(offer, answers[0]);
    if (typeof agreed !== 'string') return agreed;
    problems.push(agreed);
  }
  return problems.join('; ');
}

/** The raw peer's compressor and decompressor for one connection. */
export class DeflateCodec {
  private deflate: zlib.DeflateRaw;
  private inflate: zlib.InflateRaw;
  private readonly ownNoContextTakeover: boolean;
  private readonly peerNoContextTakeover: boolean;

  constructor(params: DeflateParams, role: 'client' | 'server') {
    const own = role === 'client' ? 'client' : 'server';
    this.ownNoContextTakeover = params[`${own}NoContextTakeover`];
    this.peerNoContextTakeover = params[own === 'client' ? 'serverNoContextTakeover' : 'clientNoContextTakeover'];
    // zlib's raw deflate refuses a window of 8 bits (since zlib 1.2.9); one of 9 bits never
    // reaches back more than 250 bytes (the window less zlib's 262-byte lookahead), so an
    // inflater with an 8-bit window reads it: that is what RFC 7692 §7.1.2 asks of 8.
    this.deflate = zlib.createDeflateRaw({ windowBits: Math.max(9, params[`${own}MaxWindowBits`]) });
    // The inflater gets exactly the agreed window: a peer using a larger one fails with
    // "invalid distance too far back".
    this.inflate = zlib.createInflateRaw({ windowBits: params[own === 'client' ? 'serverMaxWindowBits' : 'clientMaxWindowBits'] });
    this.inflate.on('error', () => undefined);
  }

  /** One message compressed as RFC 7692 §7.2.1 says: deflate, sync flush, tail removed. */
  compress(message: Buffer): Promise<Buffer> {
    return this.run(this.deflate, message, (out) => {
      if (!out.subarray(-4).equals(TAIL)) throw new Error('zlib sync flush did not end with 00 00 ff ff');
      if (this.ownNoContextTakeover) this.deflate.reset();
      return out.subarray(0, out.length - 4);
    });
  }

  /** One received message inflated (RFC 7692 §7.2.2): the tail appended again, then inflated. */
  decompress(payload: Buffer): Promise<Buffer> {
    return this.run(this.inflate, Buffer.concat([payload, TAIL]), (out) => {
      if (this.peerNoContextTakeover) this.inflate.reset();
      return out;
    });
  }

  private run(stream: zlib.DeflateRaw | zlib.InflateRaw, input: Buffer, finish: (out: Buffer) => Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (chunk: Buffer): void => void chunks.push(chunk);
      const onError = (err: Error): void => {
        stream.off('data', onData);
        reject(err);
      };
      stream.on('data', onData);
      stream.once('error', onError);
      stream.write(input);
      stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        stream.off('data', onData);
        stream.off('error', onError);
        try {
          resolve(finish(Buffer.concat(chunks)));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
  }

  close(): void {
    this.deflate.close();
    this.inflate.close();
  }
}
