import { WebSocket as WsWebSocket } from 'ws';

/**
 * Installs `ws`'s WHATWG-style WebSocket as the global `WebSocket` for the enclosing
 * `describe` (call it there), so the browser transport runs under Node; removed afterwards.
 */
export function useWsAsGlobalWebSocket(): void {
  const globals = globalThis as { WebSocket?: unknown };
  beforeAll(() => {
    globals.WebSocket = WsWebSocket;
  });
  afterAll(() => {
    delete globals.WebSocket;
  });
}
