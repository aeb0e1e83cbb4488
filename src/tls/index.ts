// The `rxws/tls` entry (Node): re-exports only.
export { resolveClientTls, resolveServerTls, TlsConfigError } from './resolve';
export { systemRootCertificates, SYSTEM_CA_BUNDLES } from './system-roots';
export {
  generateCertificate,
  DEFAULT_CERTIFICATE_DAYS,
  DEFAULT_KEY_BITS,
  type CertificateKind,
  type CertificateOptions,
  type CertificatePair,
} from './certificates';
export {
  writeCertificateSet,
  CERTIFICATE_SET_FILES,
  DEFAULT_CERTIFICATE_HOSTS,
  type CertificateSet,
  type CertificateSetOptions,
  type WrittenCertificatePair,
} from './certificate-set';
export type { TlsOptions } from '../core/options';
