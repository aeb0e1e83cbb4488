// The client process of the benchmark: runs the client side of each workload on command.
import { arg, serveCommands } from '../lib/host-child';
import { echoRaw, echoRxws } from '../workloads/echo';
import type { EchoParams } from '../workloads/echo-run';
import { awaitDeliveries, closeFleet, openFleet, resetDeliveries } from '../workloads/fleet';
import { awaitChannelDeliveries, closeSubscribers, openSubscribers, replay, resetChannelDeliveries } from '../workloads/history-client';
import { handshakesRaw, handshakesRxws, type HandshakeParams } from '../workloads/handshakes';
import { roundTripRaw, roundTripRxws, type RoundTripParams } from '../workloads/roundtrip';
import { requestsRxws, requestsSocketIo, type RequestParams } from '../workloads/requests';
import { awaitStormClosed, awaitStormOpen, closeStorm, openStorm } from '../workloads/storm';

const isRxws = (args: Record<string, unknown>): boolean => arg<string>(args, 'variant', 'string') === 'rxws';

serveCommands({
  echo: (args) => (isRxws(args) ? echoRxws : echoRaw)(args as unknown as EchoParams),
  roundTrip: (args) => (isRxws(args) ? roundTripRxws : roundTripRaw)(args as unknown as RoundTripParams),
  handshakes: (args) => (isRxws(args) ? handshakesRxws : handshakesRaw)(args as unknown as HandshakeParams),
  openFleet: (args) =>
    openFleet({
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
