// The client process of the benchmark: runs the client side of each workload on command.
import { arg, serveCommands } from '../lib/host-child';
import { echoRaw, echoRxws } from '../workloads/echo';
import type { EchoParams } from '../workloads/echo-run';
import { awaitDeliveries, closeFleet, openFleet, resetDeliveries } from '../workloads/fleet';
import { awaitChannelDeliveries, closeSubscribers, openSubscribers, replay, resetChannelDeliveries } from '../workloads/history-client';
import { handshakesRaw, handshakesRxws, type HandshakeParams } from '../workloads/handshakes';
import { roundTripRaw, roundTripRxws, type RoundTripParams } from '../workloads/roundtrip';
import { requestsRxws, requestsSocketIo, type RequestParams } from '../workloads/requests';
import { echoNet, echoSocketIo, handshakesSocketIo } from '../workloads/peers-client';
import { wsUsesBufferutil } from '../lib/masking';
import { awaitStormClosed, awaitStormOpen, closeStorm, openStorm } from '../workloads/storm';

const isRxws = (args: Record<string, unknown>): boolean => arg<string>(args, 'variant', 'string') === 'rxws';

/** The echo client of each variant: rxws connect() (against ws or serve()), ws, socket.io, a TCP socket. */
function echo(args: Record<string, unknown>): Promise<unknown> {
  const params = args as unknown as EchoParams;
  const variant = arg<string>(args, 'variant', 'string');
  if (variant === 'rxws' || variant === 'rxws-both') return echoRxws(params);
  if (variant === 'socketio') return echoSocketIo(params);
  if (variant === 'net' || variant === 'net-corked') return echoNet({ ...params, corked: variant === 'net-corked' });
  return echoRaw(params);
}

function handshakes(args: Record<string, unknown>): Promise<unknown> {
  const variant = arg<string>(args, 'variant', 'string');
  const run = variant === 'rxws' ? handshakesRxws : variant === 'socketio' ? handshakesSocketIo : handshakesRaw;
  return run(args as unknown as HandshakeParams);
}

serveCommands({
  echo,
  roundTrip: (args) => (arg<string>(args, 'variant', 'string').startsWith('rxws') ? roundTripRxws : roundTripRaw)(args as unknown as RoundTripParams),
  handshakes,
  /** Whether ws masks with bufferutil (native) or in JavaScript in this process. */
  masking: () => ({ bufferutil: wsUsesBufferutil() }),
  openFleet: (args) =>
    openFleet({
      hello: typeof args.hello === 'string' ? args.hello : undefined,
      url: arg(args, 'url', 'string'),
      clients: arg(args, 'clients', 'number'),
      parallel: arg(args, 'parallel', 'number'),
      maxMs: arg(args, 'maxMs', 'number'),
    }),
  resetDeliveries: () => resetDeliveries(),
  awaitDeliveries: (args) => awaitDeliveries(arg(args, 'total', 'number'), arg(args, 'maxMs', 'number')),
  closeFleet: () => closeFleet(),
  openStorm: (args) =>
    openStorm(arg(args, 'url', 'string'), arg(args, 'clients', 'number'), arg(args, 'jitter', 'string'), arg(args, 'maxMs', 'number')),
  awaitStormOpen: (args) => awaitStormOpen(arg(args, 'maxMs', 'number')),
  awaitStormClosed: (args) => awaitStormClosed(arg(args, 'maxMs', 'number')),
  closeStorm: () => closeStorm(),
  openSubscribers: (args) =>
    openSubscribers(arg(args, 'url', 'string'), arg(args, 'clients', 'number'), arg(args, 'parallel', 'number'), arg(args, 'channel', 'string'), arg(args, 'maxMs', 'number')),
  resetChannelDeliveries: () => resetChannelDeliveries(),
  awaitChannelDeliveries: (args) => awaitChannelDeliveries(arg(args, 'total', 'number'), arg(args, 'maxMs', 'number')),
  replay: (args) => replay(arg(args, 'url', 'string'), arg(args, 'channel', 'string'), arg(args, 'epoch', 'string'), arg(args, 'expected', 'number'), arg(args, 'maxMs', 'number')),
  closeSubscribers: () => closeSubscribers(),
  requests: (args) => (isRxws(args) ? requestsRxws : requestsSocketIo)(args as unknown as RequestParams),
});
