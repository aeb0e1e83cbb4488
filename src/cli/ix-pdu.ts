/**
 * IXWebSocket's PDU format (`common/IXPdu.h`), spoken by its `ws` tool's `send`, `receive` and
 * `chat`: one binary message holding named fields, one per line, `<name> <hex of the value>\n`,
 * names sorted (a `std::map`). Documented in docs/cli.md.
 */

/** The fields of one PDU: name → raw bytes. */
export type Pdu = Map<string, Buffer>;

const NAME = /^[A-Za-z0-9_]+$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Serializes fields (strings as UTF-8) into a PDU, names in byte order as IXWebSocket writes them. */
export function encodePdu(fields: Record<string, string | Uint8Array>): Buffer {
  const names = Object.keys(fields).sort();
  const parts: Buffer[] = [];
  for (const name of names) {
    const value = fields[name];
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    parts.push(Buffer.from(`${name} ${bytes.toString('hex')}\n`, 'latin1'));
  }
  return Buffer.concat(parts);
}

/**
 * Parses a PDU; undefined when `data` is not one (a line without a space, a name that is not a
 * plain identifier, or a value that is not hex), so other traffic can be told apart.
 */
export function parsePdu(data: Uint8Array): Pdu | undefined {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const pdu: Pdu = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (space <= 0) return undefined;
    const name = line.slice(0, space);
    const hex = line.slice(space + 1);
    if (!NAME.test(name) || !HEX.test(hex)) return undefined;
    pdu.set(name, Buffer.from(hex, 'hex'));
  }
  return pdu.size > 0 ? pdu : undefined;
}

/** A field as UTF-8 text; '' when missing, as IXWebSocket's `getPduField`. */
export function pduText(pdu: Pdu, name: string): string {
  return pdu.get(name)?.toString('utf8') ?? '';
}

const TWO_32 = 2 ** 32;

/**
 * IXWebSocket's file checksum: djb2 (`h = h * 33 + byte`, from 5381) over the unsigned bytes,
 * modulo 2^64, as a decimal string. Kept in two 32-bit halves so no BigInt is made per byte.
 */
export class Djb2 {
  private high = 0;
  private low = 5381;

  update(data: Uint8Array): this {
    let { high, low } = this;
    for (let i = 0; i < data.length; i++) {
      const wide = low * 33 + data[i];
      low = wide >>> 0;
      high = (high * 33 + Math.floor(wide / TWO_32)) >>> 0;
    }
    this.high = high;
    this.low = low;
    return this;
  }

  digest(): string {
    return ((BigInt(this.high) << 32n) | BigInt(this.low)).toString();
  }
}

/** djb2 of `data` as IXWebSocket prints it. */
export function djb2(data: Uint8Array): string {
  return new Djb2().update(data).digest();
}
