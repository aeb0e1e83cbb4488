import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { HttpHandler, HttpRequest, HttpResponse } from './types';

const gzip = promisify(gzipCallback);

/** Content-Type by file extension; anything else is `application/octet-stream`. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

const COMPRESSIBLE = /^(text\/|application\/(json|xml|javascript)|image\/svg)/;

/** Options of `staticFiles`. */
export interface StaticFilesOptions {
  /** File served for a directory (and for `/`). Default 'index.html'. */
  index?: string;
  /** Gzip compressible files (text, JSON, SVG …) when the client accepts gzip. Default true. */
  gzip?: boolean;
}

const forbidden: HttpResponse = { status: 403, body: 'Forbidden: the path leaves the served directory' };
const notFound: HttpResponse = { status: 404, body: 'Not Found' };

/** The path inside the root a request names, or a response refusing it (RFC 3986 §3.3 path only). */
function requestedPath(url: string): string | HttpResponse {
  const rawPath = url.split(/[?#]/, 1)[0];
  // Encoded separators, NUL and backslashes have no business in a file path: refuse, never guess.
  if (/%(2f|5c|00)/i.test(rawPath) || rawPath.includes('\\')) return forbidden;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, body: 'Bad Request: malformed percent-encoding in the path' };
  }
  if (decoded.includes('\0') || decoded.split('/').includes('..')) return forbidden;
  return decoded;
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function acceptsGzip(request: HttpRequest): boolean {
  const header = request.headers['accept-encoding'];
  const value = Array.isArray(header) ? header.join(',') : header ?? '';
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding.trim() === 'gzip' || coding.trim() === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** Resolves a path under the real root, following symlinks; undefined when missing, null when outside. */
async function resolveFile(realRoot: string, relative: string, index: string): Promise<string | undefined | null> {
  let real: string;
  try {
    real = await fs.realpath(path.join(realRoot, relative));
  } catch {
    return undefined;
  }
  if (!inside(realRoot, real)) return null;
  const stat = await fs.stat(real);
  if (stat.isDirectory()) return resolveFile(real, index, index);
  return stat.isFile() ? real : undefined;
}

/**
 * An `onRequest` handler serving files under `root`: `/` and directories map to `index.html`,
 * Content-Type comes from the extension, compressible files are gzipped when the client accepts
 * it, a missing file gets 404. A path that would leave the root (`..`, `%2e%2e`, `%2f`, `\`, a
 * symlink pointing outside) gets 403. Only GET and HEAD are allowed. Files are read whole.
 *
 * @example
 * import { serve, staticFiles } from 'rxws/server';
 * const server = serve({ port: 8008, onRequest: staticFiles('./public') });
 * console.log(await server.listening); // WebSocket upgrades are still served on the same port
 */
export function staticFiles(root: string, options: StaticFilesOptions = {}): HttpHandler {
  const index = options.index ?? 'index.html';
  const useGzip = options.gzip ?? true;
  let realRoot: Promise<string> | undefined;
  return async (request): Promise<HttpResponse> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, headers: { Allow: 'GET, HEAD' }, body: `Method ${request.method} not allowed: use GET or HEAD` };
    }
    const relative = requestedPath(request.url);
    if (typeof relative !== 'string') return relative;
    realRoot ??= fs.realpath(path.resolve(root));
    let file: string | undefined | null;
    try {
      file = await resolveFile(await realRoot, relative, index);
    } catch {
      file = undefined;
    }
    if (file === null) return forbidden;
    if (file === undefined) return notFound;
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const content = await fs.readFile(file);
    if (useGzip && COMPRESSIBLE.test(type) && acceptsGzip(request)) {
      const body = await gzip(content);
      return { status: 200, headers: { 'Content-Type': type, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' }, body };
    }
    return { status: 200, headers: { 'Content-Type': type, Vary: 'Accept-Encoding' }, body: content };
  };
}
