// The `rxws/tls` entry (Node): re-exports only.
export { resolveClientTls, resolveServerTls, TlsConfigError } from './resolve';
export {
  generateCertificate,
  DEFAULT_CERTIFICATE_DAYS,
  DEFAULT_KEY_BITS,
  type CertificateKind,
  type CertificateOptions,
  type CertificatePair,
} from './certificates';
export type { TlsOptions } from '../observables/options';
