import type { HttpHandler } from './http-server';

/**
 * An `onRequest` handler answering every request with a redirect to `location`
 * (301 by default, as IXWebSocket's redirect server; pass 302, 307 or 308 if you prefer).
 *
 * @example
 * import { redirect, serve } from 'rxws/server';
 * serve({ port: 8080, onRequest: redirect('https://example.com/') });
 */
export function redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 301): HttpHandler {
  if (/[\r\n]/.test(location)) throw new RangeError('redirect(): the location must not contain line breaks');
  return () => ({ status, headers: { Location: location }, body: `Moved to ${location}` });
}

/**
 * An `onRequest` handler for debugging: answers 200 with the request it received as JSON
 * (`method`, `url`, `headers`, `remoteAddress`, `body` as UTF-8 text).
 *
 * @example
 * import { echoRequest, serve } from 'rxws/server';
 * serve({ port: 8080, onRequest: echoRequest() });
 * // curl -d hi http://127.0.0.1:8080/x  ->  {"method":"POST","url":"/x",...,"body":"hi"}
 */
export function echoRequest(): HttpHandler {
  return (request) => ({
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      method: request.method,
      url: request.url,
      headers: request.headers,
      remoteAddress: request.remoteAddress,
      body: Buffer.from(request.body).toString('utf8'),
    }),
  });
}
