import type { WebSocketEvent } from '../index';
import { describePayload, type Output } from './output';

function bytesText(data: Uint8Array): string {
  const text = Buffer.from(data).toString('utf8');
  return /^[\x20-\x7e]*$/.test(text) ? text : `<${data.byteLength} bytes>`;
}

/** Prints one connection event: a readable coloured line, or a JSON line with --json. */
export function printEvent(out: Output, event: WebSocketEvent): void {
  switch (event.type) {
    case 'open':
      out.event('open', 'green', `${event.url}${event.protocol ? ` (protocol: ${out.safe(event.protocol)})` : ''}${event.proxy ? ` via proxy ${out.safe(event.proxy)}` : ''}`, {
        url: event.url,
        protocol: event.protocol,
        headers: event.headers,
        ...(event.proxy ? { proxy: event.proxy } : {}),
      });
      break;
    case 'message':
      out.event('message', 'cyan', out.safe(describePayload(event.data)), { binary: event.binary, data: event.data, wireSize: event.wireSize });
      break;
    case 'ping':
    case 'pong':
      out.event(event.type, 'magenta', bytesText(event.data), { data: event.data });
      break;
    case 'close':
      out.event('close', 'yellow', `${event.code}${event.reason ? ' ' + out.safe(event.reason) : ''}${event.remote ? ' (by the peer)' : ''}`, {
        code: event.code,
        reason: event.reason,
        remote: event.remote,
        wasClean: event.wasClean,
      });
      break;
    case 'error':
      out.event(
        'error',
        'red',
        `${out.safe(event.reason)} (retries: ${event.retries}, next try in ${event.waitTimeMs} ms${event.httpStatus ? `, http status ${event.httpStatus}` : ''})`,
        { reason: event.reason, retries: event.retries, waitTimeMs: event.waitTimeMs, httpStatus: event.httpStatus },
      );
      break;
  }
}

/** Prints the byte counts a client session ends with. */
export function printSummary(out: Output, sentBytes: number, receivedBytes: number): void {
  out.event('summary', 'blue', `sent ${sentBytes} bytes, received ${receivedBytes} bytes`, { sentBytes, receivedBytes });
}
