// The `rxws/tls` entry (Node): re-exports only.
export { resolveClientTls, resolveServerTls, TlsConfigError } from './resolve';
export type { TlsOptions } from '../observables/options';
