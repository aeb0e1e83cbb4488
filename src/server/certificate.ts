import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { ClientCertificate } from './requests';

function fields(record: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (record === null || typeof record !== 'object') return out;
  for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
    out[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** The verified client certificate of a TLS socket, or undefined (plain TCP, or none presented). */
export function clientCertificate(socket: Socket): ClientCertificate | undefined {
  const tlsSocket = socket as Partial<TLSSocket>;
  if (typeof tlsSocket.getPeerCertificate !== 'function' || tlsSocket.authorized !== true) return undefined;
  const cert: PeerCertificate = tlsSocket.getPeerCertificate();
  if (cert === null || typeof cert !== 'object' || !cert.fingerprint256) return undefined;
  return {
    subject: fields(cert.subject),
    issuer: fields(cert.issuer),
    subjectAltName: cert.subjectaltname ?? '',
    serialNumber: cert.serialNumber ?? '',
    fingerprint256: cert.fingerprint256,
    validFrom: new Date(cert.valid_from),
    validTo: new Date(cert.valid_to),
  };
}
