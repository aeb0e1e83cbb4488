import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createDecoder, encodingOf, isDecodable } from './decoding';
import { headerRecord } from '../core/headers';
import { HttpError } from './errors';
import type { HttpEvent, HttpResponseInit } from './events';

/** Where a response body goes as it is read. */
export interface BodySink {
  event(e: HttpEvent): void;
  done(response: Omit<HttpResponseInit, 'redirects' | 'uploadedBytes'>): void;
  fail(err: HttpError): void;
}

function contentLength(headers: Record<string, string>): number | undefined {
  const value = headers['content-length'];
  if (value === undefined || headers['transfer-encoding'] !== undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Reads `res`: counts wire bytes for `downloadProgress`, decodes gzip/deflate/br when asked,
 * and either buffers the body or emits it as `chunk` events. Returns a function that stops it.
 */
export function readBody(res: IncomingMessage, url: string, decode: boolean, stream: boolean, maxBodyBytes: number, sink: BodySink): () => void {
  const status = res.statusCode ?? 0;
  const statusText = res.statusMessage ?? '';
  const headers = headerRecord(res.headers);
  const total = contentLength(headers);
  const encoding = decode ? encodingOf(headers['content-encoding']) : '';
  const parts: Buffer[] = [];
  let buffered = 0;
  let loaded = 0;
  let decoder: Transform | undefined;
  let stopped = false;

  sink.event({ type: 'responseHeader', status, statusText, headers, url });
  const tooLarge = (): void => {
    stopped = true;
    parts.length = 0;
    decoder?.destroy();
    res.destroy();
    sink.fail(new HttpError({
      code: 'BODY_TOO_LARGE', url, status,
      reason: `The response body of ${url} is over maxBodyBytes (${maxBodyBytes} bytes${encoding ? `, after ${encoding} decoding` : ''}); raise maxBodyBytes, or read it with stream: true`,
    }));
  };
  const deliver = (chunk: Buffer): void => {
    if (stopped || chunk.length === 0) return;
    if (stream) return sink.event({ type: 'chunk', data: view(chunk) });
    buffered += chunk.length;
    if (buffered > maxBodyBytes) return tooLarge();
    parts.push(chunk);
  };
  const finish = (): void => {
    if (stopped) return;
    stopped = true;
    const body = stream ? new Uint8Array(0) : view(Buffer.concat(parts));
    sink.done({ status, statusText, headers, body, url, downloadedBytes: loaded });
  };
  const corrupt = (err: Error): void => {
    if (stopped) return;
    stopped = true;
    res.destroy();
    sink.fail(new HttpError({
      code: 'DECODING_FAILED', url, status, cause: err,
      reason: `Could not decode the ${encoding} response body of ${url} (${err.message}); retry with compress: false to get the raw bytes`,
    }));
  };
  const startDecoder = (first: Buffer): Transform => {
    const d = createDecoder(encoding, first);
    d.on('data', deliver);
    d.on('end', finish);
    d.on('error', corrupt);
    d.on('drain', () => res.resume());
    return d;
  };

  res.on('data', (chunk: Buffer) => {
    if (stopped) return;
    loaded += chunk.length;
    sink.event({ type: 'downloadProgress', loaded, total });
    if (!isDecodable(encoding)) return deliver(chunk);
    decoder ??= startDecoder(chunk);
    if (!decoder.write(chunk)) res.pause();
  });
  res.on('end', () => (decoder ? decoder.end() : finish()));
  return () => {
    stopped = true;
    decoder?.destroy();
  };
}
