import { durationProblem, isToken } from '../core/validation';
import { HttpError } from './errors';
import type { HttpRequestOptions } from './options';

/** Methods written in upper case whatever case they are given in (as Fetch normalizes them). */
const NORMALIZED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH'];
/** An HTTP token (RFC 9110 §5.6.2), which a method must be. */

/** Parses an http: or https: URL; an HttpError `INVALID_URL` otherwise. */
export function parseHttpUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new HttpError({ code: 'INVALID_URL', url: String(input), reason: `Could not parse url '${String(input)}': expected a form like http://host:port/path` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpError({ code: 'INVALID_URL', url: url.href, reason: `Unsupported scheme '${url.protocol}' in '${url.href}': use http: or https:` });
  }
  if (!url.hostname) throw new HttpError({ code: 'INVALID_URL', url: url.href, reason: `No host in url '${url.href}'` });
  return url;
}

/** The method to send: given (validated, standard ones upper-cased), else GET, or POST with a body. */
export function methodOf(options: HttpRequestOptions, hasBody: boolean, url: string): string {
  const method = options.method ?? (hasBody ? 'POST' : 'GET');
  if (!isToken(method)) {
    throw new HttpError({ code: 'INVALID_OPTIONS', url, reason: `Invalid method '${String(method)}': a method is a token such as GET, POST or PROPFIND` });
  }
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.includes(upper) ? upper : method;
}

/** Checks that a count or size option is a non-negative number (an integer for counts). */
function checkNumber(options: HttpRequestOptions, name: keyof HttpRequestOptions, url: string, integer = false): void {
  const value = options[name];
  if (value === undefined) return;
  const ok = typeof value === 'number' && value >= 0 && (integer ? Number.isInteger(value) : Number.isFinite(value));
  if (!ok) {
    throw new HttpError({ code: 'INVALID_OPTIONS', url, reason: `options.${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${String(value)}` });
  }
}

/** Checks the numeric options: timeouts (0 for none) and maxRedirects. */
export function checkNumbers(options: HttpRequestOptions, url: string): void {
  for (const name of ['connectTimeoutMs', 'transferTimeoutMs', 'timeoutMs'] as const) {
    const problem = options[name] === undefined ? undefined : durationProblem(`options.${name}`, options[name], { zero: true });
    if (problem !== undefined) throw new HttpError({ code: 'INVALID_OPTIONS', url, reason: problem });
  }
  checkNumber(options, 'maxRedirects', url, true);
  checkNumber(options, 'maxBodyBytes', url, true);
  if (options.maxBodyBytes === 0) throw new HttpError({ code: 'INVALID_OPTIONS', url, reason: 'options.maxBodyBytes must be at least 1; read a body of any size with stream: true' });
}
