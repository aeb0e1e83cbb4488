// permessage-deflate negotiation rules (RFC 7692 §5, §7.1) shared by connect() and serve():
// which offers a server can accept with its options, and which answers a client must refuse.
// ws applies the options too, but it refuses the whole handshake (400) where the RFC says to
// decline the offer, and it does not check the server's window bits against the offer.
import type { PerMessageDeflateOptions } from '../core/options';

type Params = Map<string, string | true>;

const NAME = 'permessage-deflate';
const BITS = /^(8|9|1[0-5])$/;

/** The permessage-deflate elements of a Sec-WebSocket-Extensions header, in order, parameters unquoted. */
function deflateElements(header: string): Array<{ params: Params; duplicate: boolean }> {
  return header
    .split(',')
    .map((element) => element.split(';').map((part) => part.trim()))
    .filter(([name]) => name.toLowerCase() === NAME)
    .map(([, ...parts]) => {
      const params: Params = new Map();
      let duplicate = false;
      for (const part of parts) {
        const eq = part.indexOf('=');
        const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
        const value = eq < 0 ? true : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
        duplicate ||= params.has(key);
        params.set(key, value);
      }
      return { params, duplicate };
    });
}

/** Why these parameters are not valid in an offer (or, `asAnswer`, in an answer); undefined if they are. */
function invalidParam(params: Params, asAnswer: boolean): string | undefined {
  for (const [key, value] of params) {
    if (key === 'server_no_context_takeover' || key === 'client_no_context_takeover') {
      if (value !== true) return `${key} takes no value`;
    } else if (key === 'server_max_window_bits') {
      if (value === true || !BITS.test(value)) return `${key} must be 8 to 15`;
    } else if (key === 'client_max_window_bits') {
      if (value === true ? asAnswer : !BITS.test(value)) return `${key} must be 8 to 15${asAnswer ? '' : ' or have no value'}`;
    } else return `unknown parameter ${key}`;
  }
  return undefined;
}

/** The server's options can serve this offer (the rules ws applies, so that ws accepts what is left). */
function serverCanAccept(params: Params, options: PerMessageDeflateOptions): boolean {
  const offeredServerBits = params.get('server_max_window_bits');
  const offeredClientBits = params.get('client_max_window_bits');
  if (options.serverNoContextTakeover === false && params.has('server_no_context_takeover')) return false;
  if (typeof offeredServerBits === 'string' && options.serverMaxWindowBits !== undefined && options.serverMaxWindowBits > Number(offeredServerBits)) return false;
  if (options.clientMaxWindowBits !== undefined) {
    if (offeredClientBits === undefined) return false; // the client cannot be asked for a smaller window
    if (typeof offeredClientBits === 'string' && options.clientMaxWindowBits > Number(offeredClientBits)) return false;
  }
  return true;
}

/**
 * The Sec-WebSocket-Extensions offer with only the permessage-deflate offers a server with
 * these options can accept; undefined when none is left. RFC 7692 §5: an invalid offer, or
 * one the server does not support, is declined (left out), and the connection goes on
 * without it; the next offer may still be accepted.
 */
export function acceptableDeflateOffers(header: string, options: boolean | PerMessageDeflateOptions): string | undefined {
  const serverOptions = options === true ? {} : options === false ? undefined : options;
  if (serverOptions === undefined) return undefined;
  const kept = deflateElements(header)
    .filter(({ params, duplicate }) => !duplicate && invalidParam(params, false) === undefined && serverCanAccept(params, serverOptions))
    .map(({ params }) => [NAME, ...[...params].map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; '));
  return kept.length ? kept.join(', ') : undefined;
}

/**
 * Why a client that offered permessage-deflate with `offered` options must fail the
 * connection on this answer (RFC 7692 §7.1), or undefined when the answer is acceptable.
 * ws checks the rest (an answer to no offer, client_max_window_bits).
 */
export function deflateAnswerProblem(offered: boolean | PerMessageDeflateOptions | undefined, answer: string | undefined): string | undefined {
  if (answer === undefined || offered === undefined || offered === false) return undefined;
  const elements = deflateElements(answer);
  if (elements.length === 0) return undefined;
  if (elements.length > 1) return 'the server answered permessage-deflate more than once';
  const { params, duplicate } = elements[0];
  if (duplicate) return 'a parameter appears twice in the answer';
  const invalid = invalidParam(params, true);
  if (invalid !== undefined) return invalid;
  const answeredBits = params.get('server_max_window_bits');
  const limit = offered === true ? undefined : offered.serverMaxWindowBits;
  if (limit !== undefined && answeredBits === undefined) return `the answer lacks the server_max_window_bits=${limit} offered`;
  if (limit !== undefined && typeof answeredBits === 'string' && Number(answeredBits) > limit) {
    return `server_max_window_bits=${answeredBits} is more than the ${limit} offered`;
  }
  return undefined;
}
