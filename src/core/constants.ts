/** WebSocket ready states, as in the WHATWG `WebSocket` interface. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSING | typeof CLOSED;

/** Close codes of RFC 6455 §7.4.1 that rxws sends or reports. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reported, never sent: the peer's close frame carried no status (RFC 6455 §7.1.5). */
  NO_STATUS: 1005,
  /** Reported, never sent: the connection ended without a close frame (RFC 6455 §7.1.5). */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
} as const;

/** Handshake deadline of a client (DNS + TCP + TLS + upgrade), as in IXWebSocket. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;
/** How long a local close waits for the peer's close frame before the socket is destroyed. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 1_000;
/** Largest message a client accepts by default (bytes, after inflation), as in `ws`. */
export const DEFAULT_CLIENT_MAX_PAYLOAD = 100 * 1024 * 1024;
/** The largest `maxPayload` there is: `ws` counts message sizes in a 32-bit signed integer. */
export const MAX_PAYLOAD_LIMIT = 2 ** 31 - 1;
/** Control frames carry at most 125 bytes of payload (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;
/** A close reason fits in a control frame after the 2-byte code (RFC 6455 §5.5.1). */
export const MAX_CLOSE_REASON_BYTES = 123;
