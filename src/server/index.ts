// The `rxws/server` entry: re-exports only.
export { serve } from './serve';
export type { ListeningAddress, PublishResult, ServerErrorEvent, WebSocketServer } from './websocket-server';
export type { BroadcastOptions } from './fanout';
export { ServerConnection } from './connection';
export { InProcessBus } from './adapter';
export type { AdapterHost, AdapterMessage, BroadcastAdapter } from './adapter';
export { MAX_TOPIC_LENGTH } from './fanout';
export { channels } from './channels';
export type { ChannelAuthorizer, ChannelServer, ChannelsOptions, ChannelVerdict } from './channels';
export { memoryHistory, DEFAULT_HISTORY_MAX_MESSAGES, DEFAULT_HISTORY_MAX_BYTES, DEFAULT_HISTORY_MAX_AGE_MS, DEFAULT_HISTORY_MAX_CHANNELS } from './memory-history';
export type { MemoryHistoryOptions } from './memory-history';
export type { HistoryEntry, HistoryFollower, HistoryRead, HistoryStore, Position, StoredBody } from './history';
export { tokenFromProtocols, authenticateFirstMessage, TOKEN_PROTOCOL_PREFIX, DEFAULT_FIRST_MESSAGE_TIMEOUT_MS, UNAUTHORIZED_CLOSE_CODE } from './tokens';
export type { FirstMessageOptions, FirstMessageVerdict, ProtocolsSource } from './tokens';
export {
  ServeOptionsError,
  DEFAULT_PORT,
  DEFAULT_HOST,
  DEFAULT_MAX_CONNECTIONS,
  IXWEBSOCKET_MAX_CONNECTIONS,
  DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_SERVER_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_MAX_HTTP_BODY,
} from './options';
export type { ServeOptions, ProtocolPolicy } from './options';
export { ServeError } from './errors';
export type { ServeErrorCode } from './errors';
export { staticFiles } from './http/static-files';
export type { StaticFilesOptions } from './http/static-files';
export { redirect, echoRequest } from './http/handlers';
export type { HttpHandler, HttpRequest, HttpResponse, IncomingHttpRequest } from './http/http-server';
export type { AuthorizeResult, ClientCertificate, ConnectionRequest, UpgradeRefusal, UpgradeRequest } from './requests';
export type { TlsOptions } from '../core/options';
export type { WebSocketEvent, WebSocketMessageEvent, SendData, SocketHandle } from '../core/events';
export { MessageConnection } from './message-server';
export type { MessageServer, ServerCodecOptions } from './message-server';
export type { RequestContext, RequestHandler, RequestHandlers, ServerExtension, ServerMessagingOptions } from '../messages/handlers';
