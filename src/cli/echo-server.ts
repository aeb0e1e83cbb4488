import type { Command } from 'commander';
import { addServerFlags, collect, withSnakeCaseAliases, type ServerFlags } from './common';
import { addIxFlags, type IxFlags } from './ix-flags';
import { runServer } from './server-runner';

interface EchoFlags extends ServerFlags, IxFlags {
  disablePong?: boolean;
  greetings?: boolean;
  httpAuthorizationHeader?: string;
  subprotocol?: string[];
}

/** `rxws echo-server`: sends each message back in its own mode (text or binary). */
export function registerEchoServer(program: Command): void {
  const cmd = program
    .command('echo-server')
    .alias('echo_server')
    .description('echo each message back in its own mode (text or binary)')
    .option('-g, --greetings', 'send a greeting when a client connects')
    .option('--http-authorization-header <value>', 'refuse upgrades (401) whose Authorization header is not exactly this')
    .option('--subprotocol <name>', 'accepted subprotocol, in order of preference (repeatable; default: accept any without picking one)', collect)
    .option('-p, --disable-pong', "do not answer pings (IXWebSocket's -p; the port is --port)");
  addServerFlags(cmd, { shortPort: false });
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((flags: EchoFlags) =>
    runServer(flags, {
      options: {
        ...(flags.subprotocol ? { protocols: flags.subprotocol } : {}),
        autoPong: !flags.disablePong,
        authorize: flags.httpAuthorizationHeader === undefined
          ? undefined
          : (request) => request.headers.authorization === flags.httpAuthorizationHeader || { status: 401, reason: 'Permission denied', headers: { 'WWW-Authenticate': 'Basic' } },
      },
      onConnection: (connection) => {
        if (flags.greetings) connection.send('Welcome to rxws echo-server');
        connection.messages$.subscribe((message) => connection.send(message.data));
      },
    }),
  );
}
