// The HTTP origin the proxy specs reach through a proxy: GET /hello, POST /echo (the body back),
// /redirect (302 to /hello), /gzip (a gzip-encoded body), and /via (the request's own headers).
import type { RequestListener } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readAll } from '../http/servers';

/** The text /gzip sends, gzipped. */
export const GZIP_TEXT = 'compressed through the proxy '.repeat(200);

export const originHandler: RequestListener = (req, res) => {
  switch (req.url) {
    case '/hello':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
      return;
    case '/echo':
      void readAll(req).then((body) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body));
      return;
    case '/redirect':
      res.writeHead(302, { location: '/hello' }).end();
      return;
    case '/gzip':
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync(GZIP_TEXT));
      return;
    default:
      res.writeHead(404).end('not found');
  }
};
