import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { echoRequest, redirect, staticFiles, type HttpHandler } from '../server/index';
import { addServerFlags, withSnakeCaseAliases, type ServerFlags } from './common';
import { CliError, ExitCode } from './errors';
import { addIxFlags } from './ix-flags';
import { runServer } from './server-runner';

interface HttpdFlags extends ServerFlags {
  dir: string;
  redirect?: boolean;
  redirectUrl?: string;
  debug?: boolean;
}

function handlerOf(flags: HttpdFlags): HttpHandler {
  if (flags.redirect || flags.redirectUrl !== undefined) {
    if (!flags.redirectUrl) throw new CliError('-L needs --redirect-url URL', ExitCode.usage);
    return redirect(flags.redirectUrl);
  }
  if (flags.debug) return echoRequest();
  const root = path.resolve(flags.dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new CliError(`${flags.dir} is not a directory`, ExitCode.usage);
  return staticFiles(root);
}

/** `rxws httpd`: static files from a folder, or a redirect (-L) or debug (-D) server. */
export function registerHttpd(program: Command): void {
  const cmd = program
    .command('httpd')
    .description('HTTP server: static files from --dir (/ is index.html), or a redirect (-L) or debug (-D) server')
    .option('--dir <dir>', 'folder to serve', '.')
    .option('-L, --redirect', 'answer every request with a 301 to --redirect-url')
    .option('--redirect-url <url>', 'where -L redirects to')
    .option('-D, --debug', 'answer every request with the request itself as JSON');
  addServerFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((flags: HttpdFlags) => runServer(flags, { scheme: 'http', options: { onRequest: handlerOf(flags) } }));
}
