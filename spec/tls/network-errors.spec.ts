import { describeNetworkError } from '../../src/core/network-errors';

// The cases a Node peer produces are checked for real in connect-tls.spec.ts and
// mutual-tls.spec.ts; these are the alerts OpenSSL-based servers (nginx, HAProxy …) send about
// a client certificate, and the two shapes Node gives one OpenSSL failure.
describe('describeNetworkError(): TLS', () => {
  const describe_ = (code: string, message = 'x'): ReturnType<typeof describeNetworkError> =>
    describeNetworkError(Object.assign(new Error(message), { code }), 'api.test', 443);

  it.each([
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', /requires a client certificate and none was sent/],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', /does not trust the CA of the client certificate/],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', /rejected the client certificate \(bad certificate\)/],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', /rejected the client certificate because it has expired/],
  ])('%s is TLS_CLIENT_CERTIFICATE_REQUIRED', (code, reason) => {
    const d = describe_(code);
    expect(d.code).toBe('TLS_CLIENT_CERTIFICATE_REQUIRED');
    expect(d.reason).toMatch(reason);
    expect(d.reason).toContain('api.test on port 443');
  });

  it('names the same OpenSSL failure alike whether Node raised it reading (ERR_SSL_*) or writing (EPROTO)', () => {
    const written = describe_(
      'EPROTO',
      'write EPROTO 80:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../ssl/record/rec_layer_s3.c:1601:SSL alert number 40',
    );
    expect(written).toEqual(describe_('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'));
    expect(written.reason).toMatch(/check tls\.ciphers.*client certificate/);
    expect(describe_('EPROTO', 'write EPROTO 80:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:x.c:1:').code).toBe(
      'TLS_CLIENT_CERTIFICATE_REQUIRED',
    );
  });

  it('reports an unknown TLS error with its code and the first line of its message only', () => {
    const d = describe_('ERR_SSL_SOMETHING_NEW', 'first line\nsource location');
    expect(d).toEqual({ code: 'TLS_HANDSHAKE_FAILED', reason: 'TLS handshake with api.test on port 443 failed (ERR_SSL_SOMETHING_NEW): first line' });
  });

  it('adds a client-certificate hint to a reset only when a client certificate was offered', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(describeNetworkError(reset, 'h', 1).reason).toBe('Connection to h on port 1 was reset by the peer (ECONNRESET)');
    expect(describeNetworkError(reset, 'h', 1, { clientCertificate: true }).reason).toMatch(/does not accept the one sent: check that tls\.certFile/);
  });
});
