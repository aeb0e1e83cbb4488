// rxws's own permessage-deflate negotiation cases (group 13, numbered rx13.n): offers serve()
// must decline rather than refuse the whole handshake (RFC 7692 §5: the connection goes on
// uncompressed), window bits 8 configured on either side, and answers connect() must refuse.
import type { PerMessageDeflateOptions } from 'rxws';
import type { DeflateParams } from './deflate';
import type { EchoCase } from './echo-cases';
import { COMPRESSION_DATA } from './test-data';

const json = COMPRESSION_DATA[0];
const cases: EchoCase[] = [];

interface Negotiation {
  title: string;
  /** serve()'s perMessageDeflate option (threshold 0 is added). */
  server?: PerMessageDeflateOptions;
  offer?: string;
  /** connect()'s perMessageDeflate option (threshold 0 is added). */
  client?: PerMessageDeflateOptions | false;
  answer?: string;
  expectDeflate?: boolean;
  expectParams?: Partial<DeflateParams>;
  refusal?: RegExp;
  only: 'client' | 'server';
}

function add(n: Negotiation): void {
  cases.push({
    kind: 'echo',
    id: `rx13.${cases.length + 1}`,
    group: '13 Compression parameters',
    title: n.title,
    data: json.make,
    binary: false,
    size: 4096,
    count: 3,
    fragmentSize: 0,
    chopSize: 0,
    timeoutMs: 10_000,
    only: n.only,
    expectDeflate: n.expectDeflate,
    expectParams: n.expectParams,
    refusal: n.refusal,
    deflate: {
      offer: n.offer ?? 'permessage-deflate',
      answer: () => n.answer,
      server: { threshold: 0, ...n.server },
      client: n.client === false ? false : { threshold: 0, ...n.client },
    },
  });
}

const declined = { expectDeflate: false, only: 'server' as const };
add({ ...declined, title: 'serve(): an offer with server_max_window_bits=7 is declined, not refused', offer: 'permessage-deflate; server_max_window_bits=7' });
add({ ...declined, title: 'serve(): an offer with client_max_window_bits=16 is declined', offer: 'permessage-deflate; client_max_window_bits=16' });
add({ ...declined, title: 'serve(): an offer with an unknown parameter is declined', offer: 'permessage-deflate; x_unknown=1' });
add({ ...declined, title: 'serve(): an offer with a parameter twice is declined', offer: 'permessage-deflate; server_no_context_takeover; server_no_context_takeover' });
add({ ...declined, title: 'serve(): server_no_context_takeover with a value is declined', offer: 'permessage-deflate; server_no_context_takeover=1' });
add({
  ...declined,
  title: 'serve() with serverMaxWindowBits 10: an offer of server_max_window_bits=9 is declined',
  server: { serverMaxWindowBits: 10 },
  offer: 'permessage-deflate; server_max_window_bits=9',
});
add({
  ...declined,
  title: 'serve() with clientMaxWindowBits 10: an offer without client_max_window_bits is declined',
  server: { clientMaxWindowBits: 10 },
  offer: 'permessage-deflate',
});
add({
  only: 'server',
  expectDeflate: true,
  title: 'serve(): a bad offer is skipped and the next one accepted',
  offer: 'permessage-deflate; x_unknown, permessage-deflate; client_max_window_bits',
});
add({
  only: 'server',
  expectDeflate: true,
  title: 'serve() with serverMaxWindowBits 8: answers 8, and compresses within 256 bytes of window',
  server: { serverMaxWindowBits: 8 },
  offer: 'permessage-deflate; client_max_window_bits',
  expectParams: { serverMaxWindowBits: 8 },
});
add({
  only: 'server',
  expectDeflate: true,
  title: 'serve() with clientMaxWindowBits 8: asks the client for 8 and inflates it',
  server: { clientMaxWindowBits: 8 },
  offer: 'permessage-deflate; client_max_window_bits',
  expectParams: { clientMaxWindowBits: 8 },
});
add({
  only: 'server',
  expectDeflate: true,
  title: 'serve() with serverNoContextTakeover: each message compressed on its own',
  server: { serverNoContextTakeover: true },
  offer: 'permessage-deflate',
  expectParams: { serverNoContextTakeover: true },
});
const refused = { only: 'client' as const, refusal: /extension/i };
add({ ...refused, title: 'connect(): an answer with server_max_window_bits=7 fails the handshake', answer: 'permessage-deflate; server_max_window_bits=7' });
add({ ...refused, title: 'connect(): an answer with an unknown parameter fails the handshake', answer: 'permessage-deflate; x_unknown' });
add({ ...refused, title: 'connect(): an answer with a bare client_max_window_bits fails the handshake', answer: 'permessage-deflate; client_max_window_bits' });
add({
  ...refused,
  title: 'connect() offering serverMaxWindowBits 10: an answer of 12 fails the handshake',
  client: { serverMaxWindowBits: 10 },
  answer: 'permessage-deflate; server_max_window_bits=12',
});
add({
  ...refused,
  title: 'connect() with perMessageDeflate off: an answer with permessage-deflate fails the handshake',
  client: false,
  answer: 'permessage-deflate',
});

export const NEGOTIATION_CASES: readonly EchoCase[] = cases;
