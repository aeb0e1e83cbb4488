import { lookup } from 'node:dns/promises';
import type { Command } from 'commander';
import { withSnakeCaseAliases, type CommonFlags } from './common';
import { CliError } from './errors';
import { addIxFlags } from './ix-flags';
import { Output } from './output';

/** `rxws dnslookup <host>`: every address the system resolver gives for a host name. */
export function registerDnslookup(program: Command): void {
  const cmd = program
    .command('dnslookup')
    .description('resolve a host name as connections do (the system resolver), printing every address')
    .argument('<host>', 'host name')
    .option('--json', 'print one event per line as JSON');
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action(async (host: string, flags: Pick<CommonFlags, 'json'>) => {
    const out = new Output({ json: flags.json });
    const addresses = await lookup(host, { all: true }).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot resolve ${host}: ${err.code === 'ENOTFOUND' ? 'no such host' : err.message}`);
    });
    for (const { address, family } of addresses) out.event('address', 'green', `${address} (IPv${family})`, { host, address, family });
  });
}
