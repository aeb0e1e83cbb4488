// The `rxws` entry, for Node and browsers: re-exports only.
export { connect } from './observables/connect';
export { RxwsError, WebSocketError } from './core/errors';
export type { RxwsErrorInit, WebSocketErrorCode, WebSocketErrorInit } from './core/errors';
export type {
  SendData,
  SocketHandle,
  WriteCallback,
  WriteError,
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
} from './core/events';
export type { ConnectOptions, LookupFunction, PerMessageDeflateOptions, ProxyOptions, ProxySetting, TlsOptions } from './core/options';
export { CONNECTING, OPEN, CLOSING, CLOSED, CloseCode } from './core/constants';
export type { ReadyState } from './core/constants';
export { isValidCloseCode } from './core/validation';
export { parseWebSocketUrl } from './core/url';
export type { WebSocketUrl } from './core/url';
export { reconnect, defaultShouldReconnect, DEFAULT_MAX_RETRIES } from './operators/reconnect';
export type { ReconnectOptions, ReconnectCause } from './operators/reconnect';
export { backoffDelay, DEFAULT_MIN_WAIT_MS, DEFAULT_MAX_WAIT_MS, BACKOFF_BASE_MS } from './operators/backoff';
export type { BackoffOptions, Jitter } from './operators/backoff';
export { keepAlive } from './operators/keep-alive';
export type { KeepAliveOptions } from './operators/keep-alive';
export { selectProtocol } from './operators/select-protocol';
export type { ProtocolHandler, ProtocolHandlers } from './operators/select-protocol';
export { WebSocketClient } from './client/websocket-client';
export type { WebSocketClientOptions, ConnectFunction, UndeliveredMessage } from './client/websocket-client';
export type { QueueOptions } from './client/send-queue';
export type { ConnectionState, ConnectionStatus, ConnectionProblem } from './client/state';
export type { PerTry } from './client/parameters';
export { browserNetworkStatus } from './client/network';
export type { MultiplexOptions } from './client/multiplex';
export type { ChannelEvent, ChannelGap, ChannelPublicationEvent, ChannelSubscribedEvent } from './client/channel-events';
export { json, msgpack, text, binary } from './messages/codecs';
export type { Codec, CodecIn, CodecOut, RawData } from './messages/codecs';
export { decodeEvents } from './messages/decode-events';
export type { DecodeEventsOptions } from './messages/decode-events';
export type {
  CodecOptions,
  DecodeErrorPolicy,
  DecodeErrorEvent,
  DecodedMessageEvent,
  EventOf,
  MessageEventOf,
  NoCodec,
  TypedOpenEvent,
  TypedSocketHandle,
  TypedWebSocketEvent,
} from './messages/typed-events';
export {
  MessageError,
  PROTOCOL_VERSION,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_BUFFERED_VALUES,
  DEFAULT_DEDUP_WINDOW_MS,
  MAX_NAME_LENGTH,
  envelopeProblem,
  readEnvelope,
} from './messages/envelope';
export type { Envelope, EnvelopeKind, MessageErrorCode, MessageErrorInit, Position, ReadResult } from './messages/envelope';
export type { ClientCodecOptions } from './messages/client-codec';
export type { MessagingOptions } from './messages/client-messaging';
export { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_RETRIES } from './messages/requests';
export type { RequestOptions, RequesterOptions } from './messages/requests';
