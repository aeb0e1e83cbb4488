import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HttpRequestOptions, MultipartValue } from '../http/index';
import { CliError, ExitCode } from './errors';

/** The body flags of `rxws curl`, as curl spells them. */
export interface CurlBodyFlags {
  data?: string[];
  dataBinary?: string;
  form?: string[];
}

/** `@file` reads the file (curl's convention); anything else is the value itself. */
function readValue(value: string, strip: boolean): Uint8Array | string {
  if (!value.startsWith('@')) return value;
  const bytes = readFileSync(value.slice(1));
  // curl -d strips newlines from files; --data-binary keeps them.
  return strip ? bytes.toString('utf8').replace(/[\r\n]/g, '') : new Uint8Array(bytes);
}

function multipartOf(fields: readonly string[]): Record<string, MultipartValue[]> {
  const parts: Record<string, MultipartValue[]> = {};
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw new CliError(`bad form field '${field}': write it as name=value or name=@file`, ExitCode.usage);
    const name = field.slice(0, eq);
    const value = field.slice(eq + 1);
    const part: MultipartValue = value.startsWith('@')
      ? { data: new Uint8Array(readFileSync(value.slice(1))), filename: path.basename(value.slice(1)) }
      : value;
    (parts[name] ??= []).push(part);
  }
  return parts;
}

/** Builds the body part of the request options and the default method from curl's flags. */
export function curlBody(flags: CurlBodyFlags, headers: Record<string, string>): Pick<HttpRequestOptions, 'body' | 'multipart'> {
  const kinds = [flags.data?.length, flags.dataBinary !== undefined, flags.form?.length].filter(Boolean).length;
  if (kinds > 1) throw new CliError('use only one of -d, --data-binary and -F', ExitCode.usage);
  const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (flags.form?.length) return { multipart: multipartOf(flags.form) };
  if (flags.data?.length) {
    // curl joins -d values with & and sends them urlencoded.
    if (!hasType) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return { body: flags.data.map((d) => readValue(d, true)).map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'))).join('&') };
  }
  if (flags.dataBinary !== undefined) {
    if (!hasType) headers['Content-Type'] = 'application/octet-stream';
    return { body: readValue(flags.dataBinary, false) };
  }
  return {};
}

/** The file name `-O` saves to: the last path segment of the URL. */
export function remoteName(url: string): string {
  let name = '';
  try {
    name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    name = '';
  }
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) {
    throw new CliError(`-O needs a file name at the end of the URL path (${url}); use -o FILE`, ExitCode.usage);
  }
  return name;
}
