import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ProxySetting, TlsOptions } from '../index';
import { DEFAULT_HOST, DEFAULT_PORT } from '../server/index';
import { CliError, ExitCode } from './errors';

/** IXWebSocket's ws tool defaults: serve()'s own host and port. */
export const DEFAULT_URL = `ws://${DEFAULT_HOST}:${DEFAULT_PORT}`;

/** Flags every command understands. */
export interface CommonFlags {
  json?: boolean;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  ciphers?: string;
  verifyNone?: boolean;
  disableHostnameValidation?: boolean;
  /** --proxy (client commands only). */
  proxy?: string;
}

/** Flags of the server commands. */
export interface ServerFlags extends CommonFlags {
  host: string;
  port: number;
  ipv6?: boolean;
  tls?: boolean;
  /** `--per-message-deflate`: accept permessage-deflate (off by default, unlike IXWebSocket). */
  perMessageDeflate?: boolean;
  /** IXWebSocket's `-x`: no permessage-deflate (rxws's default anyway). */
  disablePerMessageDeflate?: boolean;
  /** `-q`: only warnings and errors, no line per connection. */
  quiet?: boolean;
}

/** Parses a TCP port (0 = any free port). */
function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return port;
}

/** Parses a non-negative integer flag. */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return Number(value);
}

/** Parses a positive number (seconds, milliseconds). */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

/** Collects a repeatable flag (`-H a:1 -H b:2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds --json and the TLS flags a client command takes. */
export function addCommonFlags(cmd: Command): Command {
  return cmd
    .option('--json', 'print one event per line as JSON (binary data as base64)')
    .option('--cert-file <path>', 'TLS certificate (PEM file or PEM text)')
    .option('--key-file <path>', 'TLS private key (PEM file or PEM text)')
    .option('--ca-file <path>', "trusted roots: SYSTEM (default: the system bundle), NONE, a PEM file or PEM text; on a server it requires client certificates")
    .option('--ciphers <list>', 'OpenSSL cipher list')
    .option('--verify-none', 'do not verify the peer certificate (same as --ca-file NONE; for tests only)')
    .option('--disable-hostname-validation', 'accept a certificate whose names do not match the host');
}

/** Adds the common flags and --proxy to a client command. */
export function addClientFlags(cmd: Command): Command {
  return addCommonFlags(cmd).option(
    '--proxy <url>',
    "go through this proxy: http://, https://, socks5://, socks5h://, socks4a://, with user:password@ if needed; '' for none (default: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY)",
  );
}

/** The `proxy` option a client command's --proxy asks for: undefined (the environment), a URL, or false for --proxy ''. */
export function clientProxy(flags: CommonFlags): ProxySetting | undefined {
  if (flags.proxy === undefined) return undefined;
  return flags.proxy.trim() === '' ? false : flags.proxy;
}

/**
 * Adds --host, --port, -6, --tls, the deflate switches and -q to a server command, plus the
 * common flags. `shortPort: false` leaves `-p` free: IXWebSocket's echo and push servers use it
 * to turn pongs off.
 */
export function addServerFlags(cmd: Command, options: { shortPort?: boolean } = {}): Command {
  return addCommonFlags(
    cmd
      .option('--host <host>', 'address to listen on', DEFAULT_HOST)
      .option(options.shortPort === false ? '--port <port>' : '-p, --port <port>', 'port to listen on (0 = any free port)', parsePort, DEFAULT_PORT)
      .option('-6, --ipv6', 'listen on ::1 unless --host is given')
      .option('--tls', 'serve wss:// and https:// (needs --cert-file and --key-file)')
      .option('--per-message-deflate', 'accept permessage-deflate when a client offers it (default: off, it costs throughput)')
      .option('-x, --disable-per-message-deflate', "IXWebSocket's switch to turn deflate off: it is off unless --per-message-deflate")
      .option('-q, --quiet', 'print only warnings and errors, not a line per connection'),
  );
}

/**
 * Accepts IXWebSocket's snake_case spelling of every long flag (`--max_wait` for `--max-wait`),
 * hidden from --help. Call after all options are added.
 */
export function withSnakeCaseAliases(cmd: Command): Command {
  const aliases: Array<{ alias: string; target: string }> = [];
  for (const option of [...cmd.options]) {
    const long = option.long;
    if (!long || !long.slice(2).includes('-') || option.negate) continue;
    const snake = '--' + long.slice(2).replace(/-/g, '_');
    const placeholder = option.flags.match(/[<[].*[>\]]/)?.[0] ?? '';
    const alias = new Option(`${snake}${placeholder ? ' ' + placeholder : ''}`).hideHelp();
    if (option.parseArg) alias.argParser(option.parseArg);
    cmd.addOption(alias);
    aliases.push({ alias: alias.attributeName(), target: option.attributeName() });
  }
  cmd.hook('preAction', (_program, action) => {
    for (const { alias, target } of aliases) {
      const value: unknown = action.getOptionValue(alias);
      if (value !== undefined) action.setOptionValue(target, value);
    }
  });
  return cmd;
}

/** The TLS options a client command's flags ask for; undefined when none were given. */
export function clientTls(flags: CommonFlags): TlsOptions | undefined {
  const tls: TlsOptions = {};
  if (flags.certFile) tls.certFile = flags.certFile;
  if (flags.keyFile) tls.keyFile = flags.keyFile;
  if (flags.caFile) tls.caFile = flags.caFile;
  if (flags.verifyNone) tls.caFile = 'NONE';
  if (flags.ciphers) tls.ciphers = flags.ciphers;
  if (flags.disableHostnameValidation) tls.disableHostnameValidation = true;
  return Object.keys(tls).length > 0 ? tls : undefined;
}

/** The TLS options of a server command; undefined for plain ws://. */
export function serverTls(flags: ServerFlags): TlsOptions | undefined {
  const wanted = flags.tls === true || Boolean(flags.certFile) || Boolean(flags.keyFile);
  if (!wanted) return undefined;
  if (!flags.certFile || !flags.keyFile) {
    throw new CliError('a TLS server needs both --cert-file and --key-file (make a pair with `rxws gencert`)', ExitCode.usage);
  }
  // --verify_none on a server, as in IXWebSocket: ask for no client certificate, even with --ca-file.
  return clientTls({ ...flags, caFile: flags.verifyNone ? 'NONE' : flags.caFile, verifyNone: false });
}

/** The address a server command listens on. */
export function listenHost(flags: ServerFlags): string {
  return flags.ipv6 && flags.host === DEFAULT_HOST ? '::1' : flags.host;
}

/** `scheme://host:port`, with IPv6 hosts in brackets. */
export function formatUrl(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Parses `-H "Name: value"` headers (IXWebSocket writes `Name:value`). */
export function parseHeaders(values: readonly string[] = []): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of values) {
    const colon = raw.indexOf(':');
    if (colon <= 0) throw new CliError(`bad header '${raw}': write it as 'Name: value'`, ExitCode.usage);
    headers[raw.slice(0, colon).trim()] = raw.slice(colon + 1).trim();
  }
  return headers;
}
