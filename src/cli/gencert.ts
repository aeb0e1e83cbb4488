import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateCertificate, type CertificatePair } from '../tls/index';
import { addCommonFlags, collect, parseCount, type CommonFlags } from './common';
import { CliError, ExitCode } from './errors';
import { Output } from './output';

interface GencertFlags extends CommonFlags {
  dir: string;
  name?: string[];
  days: number;
  force?: boolean;
}

/** The files `gencert` writes, by role. */
const CERTIFICATE_FILES = {
  ca: ['ca.pem', 'ca-key.pem'],
  server: ['server.pem', 'server-key.pem'],
  client: ['client.pem', 'client-key.pem'],
} as const;

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1'];

function write(dir: string, [certName, keyName]: readonly [string, string], pair: CertificatePair): string[] {
  const certPath = path.join(dir, certName);
  const keyPath = path.join(dir, keyName);
  writeFileSync(certPath, pair.cert);
  writeFileSync(keyPath, pair.key, { mode: 0o600 }); // private keys readable by the owner only
  return [certPath, keyPath];
}

async function gencert(flags: GencertFlags): Promise<void> {
  const names = flags.name?.length ? flags.name : DEFAULT_NAMES;
  const all = Object.values(CERTIFICATE_FILES).flat().map((f) => path.join(flags.dir, f));
  const existing = all.filter((f) => existsSync(f));
  if (existing.length > 0 && !flags.force) {
    throw new CliError(`${existing[0]} already exists; pass --force to overwrite`, ExitCode.usage);
  }
  mkdirSync(flags.dir, { recursive: true });
  const ca = generateCertificate({ commonName: 'rxws development CA', kind: 'ca', days: flags.days });
  const server = generateCertificate({ commonName: names[0], altNames: names, kind: 'server', days: flags.days, issuer: ca });
  const client = generateCertificate({ commonName: 'rxws client', kind: 'client', days: flags.days, issuer: ca });
  const out = new Output({ json: flags.json });
  const files = [...write(flags.dir, CERTIFICATE_FILES.ca, ca), ...write(flags.dir, CERTIFICATE_FILES.server, server), ...write(flags.dir, CERTIFICATE_FILES.client, client)];
  for (const file of files) out.event('wrote', 'green', file, { file });
  if (!flags.json) {
    const at = (f: string): string => path.join(flags.dir, f);
    out.line(`serve:   rxws echo-server --tls --cert-file ${at('server.pem')} --key-file ${at('server-key.pem')}`);
    out.line(`connect: rxws connect wss://localhost:8008 --ca-file ${at('ca.pem')}`);
  }
}

/** `rxws gencert`: a development CA, a server pair and a client pair in one folder. */
export function registerGencert(program: Command): void {
  const cmd = program
    .command('gencert')
    .description('write a CA, a server and a client certificate (PEM) for development and tests')
    .option('--dir <dir>', 'folder to write into', '.')
    .option('-n, --name <name>', 'server DNS name or IP (repeatable; default localhost, 127.0.0.1, ::1)', collect)
    .option('--days <n>', 'validity in days', parseCount, 365)
    .option('--force', 'overwrite existing files');
  addCommonFlags(cmd).action((flags: GencertFlags) => gencert(flags));
}
