import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { HttpError } from './errors';
import type { HttpRequestOptions, MultipartFile, MultipartValue } from './options';

const gzipAsync = promisify(gzip);

/** A request body ready to write, with the headers that describe it. */
export interface PreparedBody {
  /** undefined: no body at all (no Content-Length is sent). */
  readonly bytes: Uint8Array | undefined;
  /** Content-Type / Content-Encoding for the body, lower-case names. */
  readonly headers: Record<string, string>;
}

const BODY_OPTIONS = ['body', 'form', 'multipart', 'json'] as const;

/** Which body option is set, or undefined; an HttpError when more than one is. */
export function bodyOption(options: HttpRequestOptions, url: string): (typeof BODY_OPTIONS)[number] | undefined {
  const given = BODY_OPTIONS.filter((name) => options[name] !== undefined);
  if (given.length > 1) {
    throw new HttpError({
      code: 'INVALID_OPTIONS',
      url,
      reason: `Conflicting body options ${given.join(' and ')}: pass only one of body, form, multipart or json`,
    });
  }
  return given[0];
}

function rawBytes(body: unknown, url: string): Uint8Array {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new HttpError({ code: 'INVALID_OPTIONS', url, reason: `options.body must be a string, Uint8Array or ArrayBuffer, got ${typeof body}` });
}

function jsonBytes(value: unknown, url: string): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new HttpError({ code: 'INVALID_OPTIONS', url, cause: err, reason: `options.json cannot be serialized: ${(err as Error).message}` });
  }
  if (text === undefined) {
    throw new HttpError({ code: 'INVALID_OPTIONS', url, reason: 'options.json has no JSON form (a function or a symbol?)' });
  }
  return new TextEncoder().encode(text);
}

function appendPart(form: FormData, name: string, value: MultipartValue): void {
  if (typeof value === 'string') {
    form.append(name, value);
    return;
  }
  const file: MultipartFile = value;
  const type = file.contentType ?? (file.data instanceof Blob && file.data.type ? file.data.type : 'application/octet-stream');
  const blob = file.data instanceof Blob && file.contentType === undefined ? file.data : new Blob([file.data as BlobPart], { type });
  form.append(name, blob, file.filename ?? 'blob');
}

function toFormData(fields: NonNullable<HttpRequestOptions['multipart']>): FormData {
  if (fields instanceof FormData) return fields;
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    const values: readonly MultipartValue[] = Array.isArray(value) ? value : [value as MultipartValue];
    for (const v of values) appendPart(form, name, v);
  }
  return form;
}

/** Serializes multipart/form-data with the platform's encoder (WHATWG `Response`), boundary included. */
async function multipartBody(fields: NonNullable<HttpRequestOptions['multipart']>): Promise<PreparedBody> {
  const encoded = new Response(toFormData(fields));
  const contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return { bytes: new Uint8Array(await encoded.arrayBuffer()), headers: { 'content-type': contentType } };
}

async function unzipped(options: HttpRequestOptions, url: string): Promise<PreparedBody> {
  switch (bodyOption(options, url)) {
    case 'body':
      return { bytes: rawBytes(options.body, url), headers: {} };
    case 'form':
      return {
        bytes: new TextEncoder().encode(new URLSearchParams(options.form).toString()),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
    case 'multipart':
      return multipartBody(options.multipart ?? {});
    case 'json':
      return { bytes: jsonBytes(options.json, url), headers: { 'content-type': 'application/json' } };
    default:
      return { bytes: undefined, headers: {} };
  }
}

/** Encodes the body option (and gzips it when `gzipBody`); rejects with an HttpError on bad input. */
export async function prepareBody(options: HttpRequestOptions, url: string): Promise<PreparedBody> {
  const plain = await unzipped(options, url);
  if (!options.gzipBody || plain.bytes === undefined) return plain;
  try {
    const zipped = await gzipAsync(plain.bytes);
    return { bytes: zipped, headers: { ...plain.headers, 'content-encoding': 'gzip' } };
  } catch (err) {
    throw new HttpError({ code: 'DECODING_FAILED', url, cause: err, reason: `Could not gzip the request body: ${(err as Error).message}` });
  }
}
