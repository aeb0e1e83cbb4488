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

// OpenSSL verification results (X509_V_ERR_*, as Node names them) that mean "this chain does not
// lead to a root you trust".
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'CERT_REVOKED',
]);

// TLS alerts a server sends about the client's certificate: none sent, or the one sent is not
// accepted (RFC 8446 §6.2: certificate_required, bad_certificate, unknown_ca, certificate_expired …).
const CLIENT_CERTIFICATE_ALERTS: Record<string, string> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'requires a client certificate and none was sent; pass tls.certFile and tls.keyFile',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'rejected the client certificate (bad certificate); check tls.certFile and tls.keyFile',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'does not trust the CA of the client certificate (unknown CA); use a certificate signed by a CA the server trusts',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'rejected the client certificate because it has expired; renew tls.certFile',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'rejected the client certificate (certificate unknown); use one the server accepts',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'rejected the client certificate (unsupported certificate: is it made for client authentication?)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'rejected the client certificate because it was revoked',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'accepted the client certificate as valid but denied it access (access denied)',
};

// Handshake failures that are no certificate problem: name the likely cause.
const HANDSHAKE_HINTS: Record<string, string> = {
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE:
    'no cipher or protocol version in common (check tls.ciphers), or the server requires a client certificate (TLS 1.2 says so this way)',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'no TLS protocol version in common',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'no TLS protocol version in common',
  ERR_SSL_NO_CIPHERS_AVAILABLE: 'tls.ciphers leaves no cipher usable',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server did not answer in TLS: is it a plain ws:// / http:// server?',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the server did not answer in TLS: is it a plain ws:// / http:// server?',
};

// `...:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:...`: the OpenSSL reason text.
const OPENSSL_REASON = /SSL routines:[^:]*:([a-z0-9 ]+):/i;

/**
 * An error raised while writing to a TLS socket has code EPROTO and the OpenSSL reason only in
 * its message; Node names the same reason `ERR_SSL_` + its words in upper snake case when it
 * raises it while reading. One name for both, so the tables below cover both.
 */
function tlsErrorCode(code: string, message: string): string {
  if (code !== 'EPROTO') return code;
  const reason = OPENSSL_REASON.exec(message)?.[1];
  return reason ? `ERR_SSL_${reason.trim().toUpperCase().replace(/ +/g, '_')}` : code;
}

function describeTlsError(code: string, message: string, host: string, where: string): NetworkErrorDescription | undefined {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return { code: 'TLS_CERTIFICATE_EXPIRED', reason: `TLS: the certificate of ${where} has expired (CERT_HAS_EXPIRED); the server needs a renewed certificate` };
    case 'CERT_NOT_YET_VALID':
      return { code: 'TLS_CERTIFICATE_EXPIRED', reason: `TLS: the certificate of ${where} is not yet valid (CERT_NOT_YET_VALID); check the clocks` };
    case 'INVALID_PURPOSE':
      return {
        code: 'TLS_UNTRUSTED_CERTIFICATE',
        reason: `TLS: the certificate of ${where} is not made for a server (INVALID_PURPOSE: ${message}); it needs extKeyUsage serverAuth`,
      };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return {
        code: 'TLS_HOSTNAME_MISMATCH',
        reason: `TLS: the certificate of ${where} does not name '${host}' (${message}); connect with a name the certificate lists or set tls.disableHostnameValidation`,
      };
  }
  const alert = CLIENT_CERTIFICATE_ALERTS[code];
  if (alert) return { code: 'TLS_CLIENT_CERTIFICATE_REQUIRED', reason: `TLS: ${where} ${alert} (${code})` };
  if (UNTRUSTED.has(code)) {
    return {
      code: 'TLS_UNTRUSTED_CERTIFICATE',
      reason: `TLS: the certificate of ${where} is not trusted (${code}: ${message}); pass its CA as tls.caFile`,
    };
  }
  const hint = HANDSHAKE_HINTS[code];
  if (hint) return { code: 'TLS_HANDSHAKE_FAILED', reason: `TLS handshake with ${where} failed: ${hint} (${code})` };
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return { code: 'TLS_HANDSHAKE_FAILED', reason: `TLS handshake with ${where} failed (${code}): ${firstLine(message)}` };
  }
  return undefined;
}

/** OpenSSL messages carry a source location on further lines; the first line says what happened. */
function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

/** What the caller knows about the failed connection, to sharpen the reason. */
export interface NetworkErrorContext {
  /** A TLS client certificate was offered (tls.certFile). */
  clientCertificate?: boolean;
}

// A Node TLS server requiring client certificates (rejectUnauthorized) verifies them after the
// handshake and then drops the connection without a TLS alert: all the client sees is a reset.
export const CLIENT_CERTIFICATE_RESET_HINT =
  '; a server that requires client certificates does this when it does not accept the one sent: check that tls.certFile is signed by a CA the server trusts and has not expired';

/**
 * Describes a failure to reach `host:port` (a Node `errno`/OpenSSL error, by its `code`):
 * refused, DNS, reset, or one of the TLS failures a user can act on. Pure: no Node imports.
 */
export function describeNetworkError(err: unknown, host: string, port: number, context: NetworkErrorContext = {}): NetworkErrorDescription {
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
      return { code: 'CONNECTION_RESET', reason: `Connection to ${where} was reset by the peer (${code})${context.clientCertificate ? CLIENT_CERTIFICATE_RESET_HINT : ''}` };
  }
  const tls = describeTlsError(tlsErrorCode(code, message), message, host, where);
  if (tls) return tls;
  if (/SSL|TLS/.test(message)) {
    return { code: 'TLS_HANDSHAKE_FAILED', reason: `TLS handshake with ${where} failed: ${firstLine(message)}` };
  }
  return { code: 'NETWORK_ERROR', reason: `Connection to ${where} failed: ${message}` };
}
