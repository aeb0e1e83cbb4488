import type { WebSocketErrorCode } from './errors';

/** What a Node network or TLS error means for a user, as a code and a readable sentence. */
export interface NetworkErrorDescription {
  code: WebSocketErrorCode;
  reason: string;
}

interface CodedError {
  code?: unknown;
  message?: unknown;
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);

/**
 * Describes a failure to reach `host:port` (a Node `errno`/OpenSSL error, by its `code`):
 * refused, DNS, reset, or one of the TLS failures a user can act on. Pure: no Node imports.
 */
export function describeNetworkError(err: unknown, host: string, port: number): NetworkErrorDescription {
  const e = (err ?? {}) as CodedError;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const where = `${host} on port ${port}`;
  switch (code) {
    case 'ECONNREFUSED':
      return { code: 'CONNECTION_REFUSED', reason: `Unable to connect to ${where} (connection refused: is a server listening?)` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return { code: 'DNS_FAILURE', reason: `Could not resolve host ${host} (${code})` };
    case 'ECONNRESET':
    case 'EPIPE':
      return { code: 'CONNECTION_RESET', reason: `Connection to ${where} was reset by the peer (${code})` };
    case 'CERT_HAS_EXPIRED':
      return { code: 'TLS_CERTIFICATE_EXPIRED', reason: `TLS: the certificate of ${where} has expired` };
    case 'CERT_NOT_YET_VALID':
      return { code: 'TLS_CERTIFICATE_EXPIRED', reason: `TLS: the certificate of ${where} is not yet valid` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        code: 'TLS_HOSTNAME_MISMATCH',
        reason: `TLS: the certificate of ${where} does not name '${host}' (${message}); fix the certificate's names or set tls.disableHostnameValidation`,
      };
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
      return {
        code: 'TLS_CLIENT_CERTIFICATE_REQUIRED',
        reason: `TLS: ${where} requires a client certificate it trusts (${code}); pass tls.certFile and tls.keyFile`,
      };
  }
  if (UNTRUSTED.has(code)) {
    return {
      code: 'TLS_UNTRUSTED_CERTIFICATE',
      reason: `TLS: the certificate of ${where} is not trusted (${code}); pass its CA as tls.caFile`,
    };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /SSL|TLS/.test(message)) {
    return { code: 'TLS_HANDSHAKE_FAILED', reason: `TLS handshake with ${where} failed: ${message}` };
  }
  return { code: 'NETWORK_ERROR', reason: `Connection to ${where} failed: ${message}` };
}
