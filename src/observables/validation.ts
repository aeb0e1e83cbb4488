import { MAX_CLOSE_REASON_BYTES, MAX_CONTROL_PAYLOAD } from './constants';
import { utf8Length } from './utf8';

/**
 * Whether `code` may be sent in a close frame (RFC 6455 §7.4.1, §7.4.2): 1000–1003,
 * 1007–1014 and the registered/private range 3000–4999. 1004–1006 and 1015 are reserved.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/** Throws a RangeError that says what to do when a close code or reason cannot be sent. */
export function assertCloseArgs(code: number, reason: string): void {
  if (!isValidCloseCode(code)) {
    throw new RangeError(
      `Invalid close code ${code}: use 1000 (normal), 1001–1003, 1007–1014 or an application code in 3000–4999`,
    );
  }
  if (utf8Length(reason) > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(
      `Close reason is ${utf8Length(reason)} bytes in UTF-8; at most ${MAX_CLOSE_REASON_BYTES} fit in a close frame`,
    );
  }
}

/** Throws a RangeError when a ping or pong payload exceeds the control-frame limit. */
export function assertControlPayload(kind: 'ping' | 'pong', size: number): void {
  if (size > MAX_CONTROL_PAYLOAD) {
    throw new RangeError(
      `A ${kind} payload is ${size} bytes; control frames carry at most ${MAX_CONTROL_PAYLOAD} bytes (RFC 6455 §5.5)`,
    );
  }
}
