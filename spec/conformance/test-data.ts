// Stand-ins for the files Autobahn's compression cases send (group 12): made here from a
// seeded generator, so every run sends the same bytes, with the kind of redundancy each file
// has (JSON, a bitmap, German prose, HTML, a PDF mixing text and compressed streams).

/** mulberry32: a small seeded generator, the same numbers on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['Habe', 'nun', 'ach', 'Philosophie', 'Juristerei', 'und', 'Medizin', 'leider', 'auch', 'Theologie', 'durchaus', 'studiert', 'mit', 'heißem', 'Bemühn', 'da', 'steh', 'ich', 'armer', 'Tor', 'bin', 'so', 'klug', 'als', 'wie', 'zuvor', 'Geist', 'Welt', 'Mächte', 'Bühne', 'Öffnung', 'grün'];

function build(size: number, chunk: (rand: () => number, i: number) => string | Buffer, seed: number): Buffer {
  const rand = generator(seed);
  const parts: Buffer[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const c = chunk(rand, i);
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    parts.push(b);
    length += b.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)];

/** ASCII JSON records (text). */
function json(): Buffer {
  return build(194_056, (rand, i) => `${i ? ',' : '['}{"id":${i},"name":"${pick(rand, WORDS).replace(/[^\x20-\x7e]/g, 'e')}","score":${(rand() * 1000).toFixed(3)},"tags":["${pick(rand, ['a', 'b', 'c'])}"],"active":${rand() < 0.5}}\n`, 1);
}

/** A 512x512 8-bit grey bitmap: smooth gradients with a little noise (binary). */
function bitmap(): Buffer {
  const header = Buffer.alloc(1078);
  header.write('BM');
  header.writeUInt32LE(1078 + 512 * 512, 2);
  const rand = generator(2);
  const pixels = Buffer.alloc(512 * 512);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (((i % 512) + Math.floor(i / 512)) / 4 + rand() * 8) & 0xff;
  return Buffer.concat([header, pixels]);
}

/** German prose in UTF-8 (sent as binary, as Autobahn sends its Faust). */
function prose(): Buffer {
  return build(222_218, (rand) => `${pick(rand, WORDS)}${rand() < 0.1 ? '.\n' : ' '}`, 3);
}

/** ASCII HTML (text). */
function html(): Buffer {
  return build(263_527, (rand, i) => `<tr class="row${i % 2}"><td>${i}</td><td><a href="/item/${Math.floor(rand() * 1e6)}">${pick(rand, ['alpha', 'beta', 'gamma', 'delta'])}</a></td></tr>\n`, 4);
}

/** A PDF-like mix: text objects between runs of random bytes, as deflated streams look (binary). */
function pdf(): Buffer {
  const noise = (rand: () => number): Buffer => {
    const b = Buffer.alloc(400);
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    return b;
  };
  return build(1_042_328, (rand, i) => (i % 2 ? noise(rand) : `${i} 0 obj << /Length 400 /Filter /FlateDecode >> stream\n`), 5);
}

/** Made on first use, then kept. */
function once(make: () => Buffer): () => Buffer {
  let made: Buffer | undefined;
  return () => (made ??= make());
}

/** Autobahn's five data sets of group 12 (12.1 … 12.5), in its order. */
export const COMPRESSION_DATA: ReadonlyArray<{ title: string; binary: boolean; make: () => Buffer }> = [
  { title: 'large JSON data (text)', binary: false, make: once(json) },
  { title: '512x512 bitmap (binary)', binary: true, make: once(bitmap) },
  { title: 'German prose (binary)', binary: true, make: once(prose) },
  { title: 'large HTML (text)', binary: false, make: once(html) },
  { title: 'a larger PDF (binary)', binary: true, make: once(pdf) },
];
