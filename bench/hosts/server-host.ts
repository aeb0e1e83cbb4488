// The server process of the benchmark: runs the server side of each workload on command.
import { arg, serveCommands } from '../lib/host-child';
import { wsUsesBufferutil } from '../lib/masking';
import { startEchoPeer, type EchoPeer } from '../workloads/peer-servers';
import { startRequestServer, stopRequestServer, type RequestVariant } from '../workloads/requests';
import { channelBroadcast, fillHistory, startChannelApp, stopChannelApp, type HistoryVariant } from '../workloads/history-server';
import { awaitConnections, broadcast, memory, peakAccepts, startApp, startEcho, stopApp, type Variant } from '../workloads/servers';

serveCommands({
  startEcho: () => startEcho(),
  startEchoPeer: (args) => startEchoPeer(arg<EchoPeer>(args, 'peer', 'string')),
  masking: () => ({ bufferutil: wsUsesBufferutil() }),
  startApp: (args) => startApp(arg<Variant>(args, 'variant', 'string'), typeof args.port === 'number' ? args.port : 0),
  stopApp: () => stopApp(),
  awaitConnections: (args) => awaitConnections(arg(args, 'connections', 'number'), arg(args, 'maxMs', 'number')),
  broadcast: (args) => broadcast(arg(args, 'messages', 'number'), arg(args, 'burst', 'number'), arg(args, 'size', 'number')),
  memory: () => memory(),
  startRequestServer: (args) => startRequestServer(arg<RequestVariant>(args, 'variant', 'string')),
  stopRequestServer: () => stopRequestServer(),
  peakAccepts: (args) => peakAccepts(arg(args, 'windowMs', 'number')),
  startChannelApp: (args) => startChannelApp(arg<HistoryVariant>(args, 'variant', 'string'), arg(args, 'redisUrl', 'string'), arg(args, 'maxMessages', 'number')),
  stopChannelApp: () => stopChannelApp(),
  channelBroadcast: (args) => channelBroadcast(arg(args, 'messages', 'number'), arg(args, 'burst', 'number'), arg(args, 'size', 'number')),
  fillHistory: (args) => fillHistory(arg(args, 'count', 'number'), arg(args, 'size', 'number'), arg(args, 'inFlight', 'number')),
  /** CPU time (user + system, µs) this process has used so far. */
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return { cpuUs: user + system };
  },
});
