import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { HttpHandler, HttpResponse, IncomingHttpRequest } from './http-server';

/** Content-Type by file extension; anything else is `application/octet-stream`. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
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
  /**
   * Serve files and folders whose name starts with a dot (`.env`, `.git/`, `.well-known/`).
   * Default false: they get 404, as if missing, since they are seldom meant to be public.
   */
  allowDotfiles?: boolean;
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

const hasDotSegment = (relative: string): boolean => relative.split(/[\\/]/).some((segment) => segment.startsWith('.'));

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function acceptsGzip(request: IncomingHttpRequest): boolean {
  const header = request.headers['accept-encoding'];
  const value = Array.isArray(header) ? header.join(',') : header ?? '';
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding.trim() === 'gzip' || coding.trim() === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

interface FoundFile {
  readonly file: string;
  readonly size: number;
}

/**
 * Resolves a path under the real root, following symlinks; undefined when missing (or a dotfile
 * that is not allowed, wherever a symlink points), null when outside.
 */
async function resolveFile(realRoot: string, dir: string, relative: string, index: string, allowDotfiles: boolean): Promise<FoundFile | undefined | null> {
  let real: string;
  try {
    real = await fs.realpath(path.join(dir, relative));
  } catch {
    return undefined;
  }
  if (!inside(realRoot, real)) return null;
  if (!allowDotfiles && hasDotSegment(path.relative(realRoot, real))) return undefined;
  const stat = await fs.stat(real);
  if (stat.isDirectory()) return resolveFile(realRoot, real, index, index, allowDotfiles);
  return stat.isFile() ? { file: real, size: stat.size } : undefined;
}

/** The file as a stream, gzipped on the way when asked; a read error ends the response early. */
function fileStream(file: string, gzipped: boolean): Readable {
  const source = createReadStream(file);
  if (!gzipped) return source;
  const gzip = createGzip();
  pipeline(source, gzip, () => undefined);
  return gzip;
}

/**
 * An `onRequest` handler serving files under `root`: `/` and directories map to `index.html`,
 * Content-Type comes from the extension, compressible files are gzipped when the client accepts
 * it, a missing file gets 404. A path that would leave the root (`..`, `%2e%2e`, `%2f`, `\`, a
 * symlink pointing outside) gets 403; a dotfile (`.env`, `.git/config`) gets 404 unless
 * `allowDotfiles`. Only GET and HEAD are allowed. Files are streamed (memory stays flat however
 * big they are); HEAD answers from the file's size without reading it.
 *
 * @example
 * import { serve, staticFiles } from 'rxws/server';
 * const server = serve({ port: 8008, onRequest: staticFiles('./public') });
 * console.log(await server.listening); // WebSocket upgrades are still served on the same port
 */
export function staticFiles(root: string, options: StaticFilesOptions = {}): HttpHandler {
  const index = options.index ?? 'index.html';
  const useGzip = options.gzip ?? true;
  const allowDotfiles = options.allowDotfiles ?? false;
  let realRoot: Promise<string> | undefined;
  return async (request): Promise<HttpResponse> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, headers: { Allow: 'GET, HEAD' }, body: `Method ${request.method} not allowed: use GET or HEAD` };
    }
    const relative = requestedPath(request.url);
    if (typeof relative !== 'string') return relative;
    if (!allowDotfiles && hasDotSegment(relative)) return notFound;
    realRoot ??= fs.realpath(path.resolve(root));
    let found: FoundFile | undefined | null;
    try {
      const real = await realRoot;
      found = await resolveFile(real, real, relative, index, allowDotfiles);
    } catch {
      found = undefined;
    }
    if (found === null) return forbidden;
    if (found === undefined) return notFound;
    const type = CONTENT_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    const gzipped = useGzip && COMPRESSIBLE.test(type) && acceptsGzip(request);
    // A gzipped length is known only once compressed: that response is chunked.
    const headers: Record<string, string | number> = gzipped
      ? { 'Content-Type': type, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' }
      : { 'Content-Type': type, 'Content-Length': found.size, Vary: 'Accept-Encoding' };
    if (request.method === 'HEAD') return { status: 200, headers };
    return { status: 200, headers, body: fileStream(found.file, gzipped) };
  };
}
