// The public names of each entry point, values and types alike, as the TypeScript checker sees
// them. A name added or removed fails here: change the list on purpose, with the docs.
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');
const ENTRIES: Record<string, string> = {
  rxws: 'src/index.ts',
  'rxws/server': 'src/server/index.ts',
  'rxws/http': 'src/http/index.ts',
  'rxws/tls': 'src/tls/index.ts',
  'rxws/testing': 'src/testing/index.ts',
  'rxws/redis': 'src/redis/index.ts',
};

const PUBLIC_NAMES: Record<string, readonly string[]> = {
  'rxws': [
    'ChannelEvent', 'ChannelGap', 'ChannelPublicationEvent', 'ChannelSubscribedEvent',
    'BACKOFF_BASE_MS', 'BackoffOptions', 'CLOSED', 'CLOSING', 'CONNECTING', 'ClientCodecOptions', 'CloseCode',
    'Codec', 'CodecIn', 'CodecOptions', 'CodecOut', 'ConnectFunction', 'ConnectOptions', 'ConnectionProblem',
    'ConnectionState', 'ConnectionStatus', 'DEFAULT_DEDUP_WINDOW_MS', 'DEFAULT_MAX_BUFFERED_VALUES',
    'DEFAULT_MAX_IN_FLIGHT', 'DEFAULT_MAX_RETRIES', 'DEFAULT_MAX_WAIT_MS', 'DEFAULT_MIN_WAIT_MS',
    'DEFAULT_REQUEST_RETRIES', 'DEFAULT_REQUEST_TIMEOUT_MS', 'DecodeErrorEvent', 'DecodeErrorPolicy',
    'DecodeEventsOptions', 'DecodedMessageEvent', 'Envelope', 'EnvelopeKind', 'EventOf', 'Jitter',
    'KeepAliveOptions', 'LookupFunction', 'MAX_NAME_LENGTH', 'MessageError', 'MessageErrorCode',
    'MessageErrorInit', 'MessageEventOf', 'MessagingOptions', 'MultiplexOptions', 'NoCodec', 'OPEN',
    'PROTOCOL_VERSION', 'PerMessageDeflateOptions', 'PerTry', 'Position', 'ProtocolHandler',
    'ProtocolHandlers', 'ProxyOptions', 'ProxySetting', 'QueueOptions', 'RawData', 'ReadResult', 'ReadyState',
    'ReconnectCause', 'ReconnectOptions', 'RequestOptions', 'RequesterOptions', 'RxwsError', 'RxwsErrorInit',
    'SendData', 'SocketHandle', 'TlsOptions', 'TypedOpenEvent', 'TypedSocketHandle', 'TypedWebSocketEvent',
    'UndeliveredMessage', 'WebSocketBinaryMessageEvent', 'WebSocketClient', 'WebSocketClientOptions',
    'WebSocketCloseEvent', 'WebSocketError', 'WebSocketErrorCode', 'WebSocketErrorEvent',
    'WebSocketErrorInit', 'WebSocketEvent', 'WebSocketEventType', 'WebSocketMessageEvent',
    'WebSocketOpenEvent', 'WebSocketPingEvent', 'WebSocketPongEvent', 'WebSocketTextMessageEvent',
    'WebSocketUrl', 'WriteCallback', 'WriteError', 'backoffDelay', 'binary', 'browserNetworkStatus',
    'connect', 'decodeEvents', 'defaultShouldReconnect', 'envelopeProblem', 'isValidCloseCode', 'json',
    'keepAlive', 'msgpack', 'parseWebSocketUrl', 'readEnvelope', 'reconnect', 'selectProtocol', 'text',
  ],
  'rxws/server': [
    'DEFAULT_HISTORY_MAX_AGE_MS', 'DEFAULT_HISTORY_MAX_BYTES', 'DEFAULT_HISTORY_MAX_CHANNELS', 'DEFAULT_HISTORY_MAX_MESSAGES', 'HistoryEntry', 'HistoryFollower', 'HistoryRead', 'HistoryStore', 'MemoryHistoryOptions', 'Position', 'StoredBody', 'memoryHistory',
    'AdapterHost', 'AdapterMessage', 'AuthorizeResult', 'BroadcastAdapter', 'BroadcastOptions',
    'ChannelAuthorizer', 'ChannelServer', 'ChannelVerdict', 'ChannelsOptions',
    'ClientCertificate', 'ConnectionRequest', 'DEFAULT_FIRST_MESSAGE_TIMEOUT_MS', 'DEFAULT_HOST',
    'DEFAULT_MAX_BUFFERED_AMOUNT', 'DEFAULT_MAX_CONNECTIONS', 'DEFAULT_MAX_HTTP_BODY', 'DEFAULT_MAX_PAYLOAD',
    'DEFAULT_MAX_PENDING_BYTES', 'DEFAULT_PORT', 'DEFAULT_SERVER_CLOSE_TIMEOUT_MS',
    'DEFAULT_SERVER_HANDSHAKE_TIMEOUT_MS', 'FirstMessageOptions', 'FirstMessageVerdict', 'HttpHandler',
    'HttpRequest', 'HttpResponse', 'IXWEBSOCKET_MAX_CONNECTIONS', 'InProcessBus', 'IncomingHttpRequest', 'ListeningAddress',
    'MAX_TOPIC_LENGTH', 'MessageConnection', 'MessageServer', 'ProtocolPolicy', 'ProtocolsSource',
    'PublishResult', 'RequestContext', 'RequestHandler', 'RequestHandlers', 'SendData', 'ServeError',
    'ServeErrorCode', 'ServeOptions', 'ServeOptionsError', 'ServerCodecOptions', 'ServerConnection',
    'ServerErrorEvent', 'ServerExtension', 'ServerMessagingOptions', 'SocketHandle', 'StaticFilesOptions',
    'TOKEN_PROTOCOL_PREFIX', 'TlsOptions', 'UNAUTHORIZED_CLOSE_CODE', 'UpgradeRefusal', 'UpgradeRequest',
    'WebSocketEvent', 'WebSocketMessageEvent', 'WebSocketServer', 'authenticateFirstMessage', 'channels',
    'echoRequest', 'redirect', 'serve', 'staticFiles', 'tokenFromProtocols',
  ],
  'rxws/http': [
    'DEFAULT_CONNECT_TIMEOUT_MS', 'DEFAULT_MAX_BODY_BYTES', 'DEFAULT_MAX_REDIRECTS',
    'DEFAULT_TRANSFER_TIMEOUT_MS', 'HttpChunkEvent', 'HttpDownloadProgressEvent', 'HttpError',
    'HttpErrorCode', 'HttpEvent', 'HttpEventType', 'HttpRequestOptions', 'HttpResponseEvent',
    'HttpResponseHeaderEvent', 'HttpSentEvent', 'HttpUploadProgressEvent', 'MultipartFile', 'MultipartValue',
    'ProxyOptions', 'ProxySetting', 'TlsOptions', 'UPLOAD_CHUNK_BYTES', 'httpRequest', 'redirectsToGet',
  ],
  'rxws/tls': [
    'CERTIFICATE_SET_FILES', 'CertificateKind', 'CertificateOptions', 'CertificatePair', 'CertificateSet',
    'CertificateSetOptions', 'DEFAULT_CERTIFICATE_DAYS', 'DEFAULT_CERTIFICATE_HOSTS', 'DEFAULT_KEY_BITS',
    'SYSTEM_CA_BUNDLES', 'TlsConfigError', 'TlsOptions', 'WrittenCertificatePair', 'generateCertificate',
    'resolveClientTls', 'resolveServerTls', 'systemRootCertificates', 'writeCertificateSet',
  ],
  'rxws/testing': [
    'FakeClose', 'FakeConnect', 'FakeHandler', 'FakeMessageServerOptions', 'FakeScript', 'FakeSocket',
    'FakeSocketOptions', 'FakeTry', 'OpenEventInit', 'binaryMessage', 'closeEvent', 'envelopeMessage',
    'errorEvent', 'fakeConnect', 'fakeMessageServer', 'openEvent', 'pingEvent', 'pongEvent', 'textMessage',
  ],
  'rxws/redis': [
    'DEFAULT_HISTORY_PREFIX', 'DEFAULT_POSITION_TTL_MS', 'RedisHistory', 'RedisHistoryOptions', 'redisHistory',
    'AdapterHost', 'AdapterMessage', 'BroadcastAdapter', 'DEFAULT_CHANNEL', 'DEFAULT_PUBLISH_TIMEOUT_MS',
    'DEFAULT_REDIS_URL', 'ENVELOPE_VERSION', 'Envelope', 'ReconnectStrategy', 'RedisAdapter',
    'RedisAdapterError', 'RedisAdapterErrorCode', 'RedisAdapterOptions', 'RedisAdapterStatus',
    'RedisReconnectOptions', 'decodeEnvelope', 'encodeEnvelope', 'redisAdapter', 'redisReconnectStrategy',
  ],
};

describe('the public names', () => {
  const program = ts.createProgram(Object.values(ENTRIES).map((f) => path.join(root, f)), { noEmit: true, skipLibCheck: true, types: ['node'] });
  const checker = program.getTypeChecker();

  it.each(Object.keys(ENTRIES))('%s exports exactly the listed names', (entry) => {
    const file = program.getSourceFile(path.join(root, ENTRIES[entry]));
    const symbol = file && checker.getSymbolAtLocation(file);
    if (symbol === undefined) throw new Error(`${ENTRIES[entry]} is not a module`);
    const names = checker.getExportsOfModule(symbol).map((s) => s.name).sort();
    expect(names).toEqual([...PUBLIC_NAMES[entry]].sort());
  });
});
