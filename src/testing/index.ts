// The `rxws/testing` entry: re-exports only.
export { FakeSocket } from './fake-socket';
export type { FakeClose, FakeSocketOptions } from './fake-socket';
export { fakeConnect } from './fake-connect';
export type { FakeConnect, FakeScript, FakeTry } from './fake-connect';
export { openEvent, textMessage, binaryMessage, pingEvent, pongEvent, closeEvent, errorEvent } from './events';
export type { OpenEventInit } from './events';
export { fakeMessageServer, envelopeMessage } from './fake-requests';
export type { FakeHandler, FakeMessageServerOptions } from './fake-requests';
