import type { PreparedBody } from './bodies';
import { HttpError } from './errors';

/** One request of an exchange: the first, or one a redirect leads to. */
export interface Hop {
  readonly url: URL;
  readonly method: string;
  /** The user's headers (their own case), as they apply to this hop. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: PreparedBody;
}

/** Statuses that redirect, when they carry a Location (RFC 9110 §15.4). */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers that describe a body: they go when the body goes. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding'];
/** Credentials a cross-origin redirect must not carry (Fetch §4.4 "HTTP-redirect fetch"). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const NO_BODY: PreparedBody = { bytes: undefined, headers: {} };

/** True when `status` with a `location` header is a redirect to follow. */
export function isRedirect(status: number, location: string | undefined): location is string {
  return REDIRECT_STATUSES.has(status) && location !== undefined && location !== '';
}

/** The headers without the ones named (case-insensitively). */
function withoutHeaders(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!names.includes(name.toLowerCase())) out[name] = value;
  }
  return out;
}

/**
 * Whether a redirect turns the request into a body-less GET, as browsers do (Fetch §4.4):
 * 303 for anything but HEAD, and 301/302 for POST. 307 and 308 never change it.
 *
 * @example
 * redirectsToGet(302, 'POST'); // true
 * redirectsToGet(302, 'PUT');  // false: PUT and its body are sent again
 * redirectsToGet(307, 'POST'); // false
 */
export function redirectsToGet(status: number, method: string): boolean {
  if (status === 303) return method !== 'HEAD';
  return (status === 301 || status === 302) && method === 'POST';
}

/** The request a redirect leads to. Pure; throws an HttpError for an unusable Location. */
export function redirectedHop(hop: Hop, status: number, location: string): Hop {
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    throw new HttpError({ code: 'INVALID_URL', url: hop.url.href, status, reason: `${hop.url.href} redirected (${status}) to an invalid Location '${location}'` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpError({ code: 'INVALID_URL', url: hop.url.href, status, reason: `${hop.url.href} redirected (${status}) to '${url.href}': only http: and https: can be followed` });
  }
  if (!url.hash && hop.url.hash) url.hash = hop.url.hash; // RFC 9110 §10.2.2: the fragment carries over
  const toGet = redirectsToGet(status, hop.method);
  let headers: Record<string, string> = toGet ? withoutHeaders(hop.headers, BODY_HEADERS) : { ...hop.headers };
  if (url.origin !== hop.url.origin) headers = withoutHeaders(headers, CREDENTIAL_HEADERS);
  return { url, method: toGet ? 'GET' : hop.method, headers, body: toGet ? NO_BODY : hop.body };
}
