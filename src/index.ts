// The `rxws` entry, for Node and browsers: re-exports only.
export { connect } from './observables/connect';
export { WebSocketError } from './observables/errors';
export type { WebSocketErrorCode } from './observables/errors';
export type {
  SendData,
  SocketHandle,
  WebSocketEvent,
  WebSocketEventType,
  WebSocketOpenEvent,
  WebSocketMessageEvent,
  WebSocketTextMessageEvent,
  WebSocketBinaryMessageEvent,
  WebSocketPingEvent,
  WebSocketPongEvent,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
} from './observables/events';
export type { ConnectOptions, LookupFunction, PerMessageDeflateOptions, TlsOptions } from './observables/options';
export { CONNECTING, OPEN, CLOSING, CLOSED, CloseCode } from './observables/constants';
export type { ReadyState } from './observables/constants';
export { isValidCloseCode } from './observables/validation';
export { parseWebSocketUrl } from './observables/url';
export type { WebSocketUrl } from './observables/url';
