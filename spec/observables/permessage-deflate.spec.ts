import { acceptableDeflateOffers, deflateAnswerProblem } from '../../src/observables/permessage-deflate';

describe('acceptableDeflateOffers (serve(): RFC 7692 §5, decline what cannot be accepted)', () => {
  it.each([
    ['a valid offer is kept', 'permessage-deflate; client_max_window_bits', true, 'permessage-deflate; client_max_window_bits'],
    ['window bits outside 8..15 are declined', 'permessage-deflate; server_max_window_bits=7', true, undefined],
    ['a bare server_max_window_bits is declined', 'permessage-deflate; server_max_window_bits', true, undefined],
    ['an unknown parameter is declined', 'permessage-deflate; x_unknown=1', true, undefined],
    ['a repeated parameter is declined', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover', true, undefined],
    ['a flag with a value is declined', 'permessage-deflate; client_no_context_takeover=1', true, undefined],
    ['a bad offer is dropped, the next kept', 'permessage-deflate; x, permessage-deflate; server_max_window_bits="10"', true, 'permessage-deflate; server_max_window_bits=10'],
    ['other extensions are dropped', 'x-webkit-deflate-frame, permessage-deflate', true, 'permessage-deflate'],
    ['window bits under the configured ones are declined', 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 10 }, undefined],
    ['window bits at or over the configured ones are kept', 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=12'],
    ['no client_max_window_bits when the server needs to limit the client: declined', 'permessage-deflate', { clientMaxWindowBits: 10 }, undefined],
    ['server_no_context_takeover when the server refuses it: declined', 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: false }, undefined],
  ] as const)('%s', (_name, offer, options, expected) => {
    expect(acceptableDeflateOffers(offer, options)).toBe(expected);
  });

  it('keeps nothing when permessage-deflate is off', () => {
    expect(acceptableDeflateOffers('permessage-deflate', false)).toBeUndefined();
  });
});

describe('deflateAnswerProblem (connect(): RFC 7692 §7.1, answers the offer does not allow)', () => {
  it.each([
    ['no answer', true, undefined, undefined],
    ['a plain accept', true, 'permessage-deflate', undefined],
    ['answers to no offer are left to ws', false, 'permessage-deflate', undefined],
    ['window bits outside 8..15', true, 'permessage-deflate; server_max_window_bits=16', 'server_max_window_bits must be 8 to 15'],
    ['a bare client_max_window_bits', true, 'permessage-deflate; client_max_window_bits', 'client_max_window_bits must be 8 to 15'],
    ['an unknown parameter', true, 'permessage-deflate; x', 'unknown parameter x'],
    ['more server window than offered', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=12', 'server_max_window_bits=12 is more than the 10 offered'],
    ['the offered server window left out', { serverMaxWindowBits: 10 }, 'permessage-deflate', 'the answer lacks the server_max_window_bits=10 offered'],
    ['less server window than offered', { serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=9', undefined],
    ['two answers', true, 'permessage-deflate, permessage-deflate', 'the server answered permessage-deflate more than once'],
  ] as const)('%s', (_name, offered, answer, expected) => {
    expect(deflateAnswerProblem(offered, answer)).toBe(expected);
  });
});
