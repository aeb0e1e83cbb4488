// Handshake policy: what to answer an upgrade request, as pure functions, plus the effectful
// helpers that read a TLS socket's verification result and write a refusal on the raw socket.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { isToken } from '../core/validation';
import type { ProtocolPolicy } from './options';
import type { AuthorizeResult, UpgradeRefusal, UpgradeRequest } from './requests';

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Why an upgrade request is malformed (RFC 6455 §4.2.1), or undefined when it is well formed. */
export function checkUpgradeRequest(req: Pick<IncomingMessage, 'method' | 'headers'>): UpgradeRefusal | undefined {
  const { headers } = req;
  if (req.method !== 'GET') {
    return { status: 405, reason: `A WebSocket upgrade must use GET, not ${req.method}`, headers: { Allow: 'GET' } };
  }
  const upgrade = headers.upgrade;
  if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') {
    return { status: 400, reason: `Unsupported upgrade '${String(upgrade)}': this server speaks only 'websocket'` };
  }
  const key = headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key)) {
    return { status: 400, reason: 'Missing or invalid Sec-WebSocket-Key header (RFC 6455 §4.1: 16 random bytes in base64)' };
  }
  const version = headers['sec-websocket-version'];
  if (version !== '13') {
    // RFC 6455 §4.4: name the versions the server understands.
    return {
      status: 426,
      reason: `Unsupported Sec-WebSocket-Version ${JSON.stringify(version ?? '')}: this server speaks version 13`,
      headers: { 'Sec-WebSocket-Version': '13' },
    };
  }
  return undefined;
}

/** The subprotocols offered in a Sec-WebSocket-Protocol header, in order; undefined when malformed. */
export function parseOfferedProtocols(header: string | string[] | undefined): string[] | undefined {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  const offered: string[] = [];
  for (const part of joined.split(',')) {
    const name = part.trim();
    if (!isToken(name) || offered.includes(name)) return undefined;
    offered.push(name);
  }
  return offered;
}

/** The subprotocol to answer with ('' for none), or the refusal when none acceptable was offered. */
export function chooseProtocol(
  policy: ProtocolPolicy | undefined,
  request: UpgradeRequest,
): { protocol: string } | UpgradeRefusal {
  const offered = request.offeredProtocols;
  let chosen: string | false = false;
  if (typeof policy === 'function') {
    chosen = policy(offered, request);
    // '' accepts the client without a subprotocol, as RFC 6455 §4.1 allows (and browsers accept).
    if (chosen === '') return { protocol: '' };
    if (chosen !== false && !offered.includes(chosen)) {
      throw new Error(`protocols() chose '${String(chosen)}', which the client did not offer (offered: ${offered.join(', ') || 'none'})`);
    }
  } else if (policy !== undefined) {
    chosen = policy.find((p) => offered.includes(p)) ?? false;
  }
  if (chosen !== false) return { protocol: chosen };
  if (offered.length === 0) return { protocol: '' };
  const supported = typeof policy === 'function' ? '' : ` (supported: ${policy?.join(', ') || 'none'})`;
  return { status: 400, reason: `None of the offered subprotocols (${offered.join(', ')}) is supported${supported}` };
}

/** The refusal an `authorize` result stands for, or undefined when it accepts. */
export function refusalOf(result: AuthorizeResult): UpgradeRefusal | undefined {
  if (result === true || result === undefined) return undefined;
  if (result === false) return { status: 403, reason: 'Forbidden' };
  if (typeof result === 'object' && result !== null && Number.isInteger(result.status) && result.status >= 400 && result.status <= 599) {
    return result;
  }
  throw new Error(`authorize() returned ${JSON.stringify(result)}: expected true, false or { status: 400..599, reason?, headers? }`);
}

// OpenSSL verification results (Node's `authorizationError`) that a client can act on by name.
const CERTIFICATE_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not yet valid (check the clocks)',
  INVALID_PURPOSE: 'not made for client authentication (it needs extKeyUsage clientAuth)',
  CERT_REVOKED: 'revoked',
};

/**
 * The refusal for a TLS client whose certificate the server did not verify (mutual TLS): none was
 * presented, or `authorizationError` (Node's name for OpenSSL's verification result) says why it
 * was not accepted. The reason goes to the client as the 403 body.
 */
function clientCertificateRefusal(presented: boolean, authorizationError: string | undefined): UpgradeRefusal {
  if (!presented) {
    return {
      status: 403,
      reason: 'Client certificate required: this server accepts only clients presenting a certificate signed by a CA it trusts (tls.certFile and tls.keyFile)',
    };
  }
  const code = authorizationError || 'UNSPECIFIED';
  const problem = CERTIFICATE_PROBLEMS[code];
  if (problem !== undefined) return { status: 403, reason: `Client certificate ${problem}: ${code}` };
  return { status: 403, reason: `Client certificate not trusted: ${code}; present one signed by a CA this server trusts` };
}

/**
 * For a server that requests client certificates: the refusal for a connection whose certificate
 * Node did not verify (`socket.authorized` false), or undefined for a verified one.
 */
export function unverifiedClientRefusal(socket: Socket): UpgradeRefusal | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (tls.authorized === true) return undefined;
  const cert: unknown = typeof tls.getPeerCertificate === 'function' ? tls.getPeerCertificate() : undefined;
  const presented = typeof cert === 'object' && cert !== null && Object.keys(cert).length > 0;
  // Node types it as an Error but sets the OpenSSL code string (e.g. 'CERT_HAS_EXPIRED').
  const error: unknown = tls.authorizationError;
  const code = typeof error === 'string' ? error : (error as { code?: string } | undefined)?.code;
  return clientCertificateRefusal(presented, code);
}

/** Header names and values must not smuggle line breaks into the response. */
function clean(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** Answers an upgrade with an HTTP error and closes the socket; the reason is the plain-text body. */
export function writeRefusal(socket: Duplex, refusal: UpgradeRefusal): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = refusal.status;
  const body = Buffer.from(refusal.reason ?? STATUS_CODES[status] ?? '');
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${body.length}`,
  ];
  for (const [name, value] of Object.entries(refusal.headers ?? {})) lines.push(`${clean(name)}: ${clean(String(value))}`);
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), body]));
  // A client that never reads must not keep the socket: end() waits for the write to flush.
  socket.once('finish', () => socket.destroy());
}
