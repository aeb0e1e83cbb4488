// The `rxws/http` entry (Node): re-exports only.
export { httpRequest } from './request';
export { HttpError } from './errors';
export type { HttpErrorCode } from './errors';
export type {
  HttpEvent,
  HttpEventType,
  HttpSentEvent,
  HttpUploadProgressEvent,
  HttpResponseHeaderEvent,
  HttpDownloadProgressEvent,
  HttpChunkEvent,
  HttpResponseEvent,
} from './events';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TRANSFER_TIMEOUT_MS,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_BODY_BYTES,
  UPLOAD_CHUNK_BYTES,
} from './options';
export type { HttpRequestOptions, MultipartFile, MultipartValue } from './options';
export { redirectsToGet } from './redirects';
export type { ProxyOptions, ProxySetting, TlsOptions } from '../core/options';
