import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { lastValueFrom, tap } from 'rxjs';
import type { Command } from 'commander';
import { httpRequest, type HttpEvent, type HttpResponseEvent } from '../http/index';
import { addClientFlags, clientProxy, clientTls, collect, parseCount, parseHeaders, parsePositive, withSnakeCaseAliases, type CommonFlags } from './common';
import { curlBody, remoteName, type CurlBodyFlags } from './curl-request';
import { CliError, ExitCode } from './errors';
import { addIxFlags } from './ix-flags';
import { Output } from './output';
import { byteProgress, progressEnabled, type Progress } from './progress';

interface CurlFlags extends CommonFlags, CurlBodyFlags {
  request?: string;
  header?: string[];
  output?: string;
  remoteName?: boolean;
  head?: boolean;
  include?: boolean;
  location?: boolean;
  maxRedirects: number;
  verbose?: boolean;
  compressed?: boolean;
  connectTimeout?: number;
  transferTimeout?: number;
  maxTime?: number;
  fail?: boolean;
  silent?: boolean;
  compressRequest?: boolean;
}

function headerBlock(status: number, statusText: string, headers: Record<string, string>): string {
  const lines = [`HTTP/1.1 ${status} ${statusText}`.trimEnd(), ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return lines.join('\r\n') + '\r\n\r\n';
}

function report(event: HttpEvent, flags: CurlFlags, out: Output, progress: Progress): void {
  if (flags.json) {
    if (event.type === 'response') {
      const { type, status, statusText, headers, url, redirects, uploadedBytes, downloadedBytes, body } = event;
      out.event(type, 'green', '', { status, statusText, headers, url, redirects, uploadedBytes, downloadedBytes, body: flags.output || flags.remoteName ? undefined : body });
    } else if (event.type !== 'chunk') {
      out.event(event.type, 'gray', '', { ...event, type: undefined });
    }
    return;
  }
  if (event.type === 'downloadProgress') progress.update(event.loaded, event.total);
  if (flags.verbose && event.type === 'sent') process.stderr.write(`> ${event.method} ${event.url}\n`);
  if (flags.verbose && event.type === 'responseHeader') {
    process.stderr.write(headerBlock(event.status, event.statusText, event.headers).replace(/^(?=.)/gm, '< '));
  }
}

function deliver(response: HttpResponseEvent, flags: CurlFlags, url: string): void {
  if (flags.json) return;
  const target = flags.output ?? (flags.remoteName ? remoteName(url) : undefined);
  if (flags.head || flags.include) process.stdout.write(headerBlock(response.status, response.statusText, response.headers));
  if (flags.head) return;
  if (target) writeFileSync(target, response.body);
  else process.stdout.write(response.body);
}

async function curl(url: string, flags: CurlFlags): Promise<void> {
  const headers = parseHeaders(flags.header);
  const body = curlBody(flags, headers);
  if (flags.compressRequest) {
    if (body.body === undefined) throw new CliError('--compress-request gzips a -d or --data-binary body: give one', ExitCode.usage);
    body.body = gzipSync(typeof body.body === 'string' ? Buffer.from(body.body) : body.body);
    headers['Content-Encoding'] = 'gzip';
  }
  const method = flags.request ?? (flags.head ? 'HEAD' : body.body !== undefined || body.multipart ? 'POST' : 'GET');
  const out = new Output({ json: flags.json });
  const progress = byteProgress('download', progressEnabled(flags) && !flags.head);
  const seconds = (s: number | undefined): number | undefined => (s === undefined ? undefined : Math.round(s * 1000));
  let response: HttpResponseEvent;
  try {
    const last = await lastValueFrom(
      httpRequest(url, {
        method,
        headers,
        ...body,
        followRedirects: flags.location === true,
        maxRedirects: flags.maxRedirects,
        compress: flags.compressed === true,
        connectTimeoutMs: seconds(flags.connectTimeout),
        transferTimeoutMs: seconds(flags.transferTimeout),
        timeoutMs: seconds(flags.maxTime),
        tls: clientTls(flags),
        proxy: clientProxy(flags),
      }).pipe(tap((event) => report(event, flags, out, progress))),
    );
    if (last.type !== 'response') throw new CliError(`no response from ${url}`);
    response = last;
  } finally {
    progress.stop();
  }
  if (flags.fail && response.status >= 400) {
    throw new CliError(`HTTP error ${response.status} ${response.statusText} from ${response.url}`.replace('  ', ' '), ExitCode.httpStatus);
  }
  deliver(response, flags, url);
}

/** `rxws curl <url>`: an HTTP client with curl's flags. */
export function registerCurl(program: Command): void {
  const cmd = program
    .command('curl')
    .description('HTTP request with curl-style flags; the body goes to stdout or -o FILE')
    .argument('<url>', 'http:// or https:// URL')
    .option('-X, --request <method>', 'HTTP method (default: GET, or POST with a body)')
    .option('-H, --header <header>', "request header 'Name: value' (repeatable)", collect)
    .option('-d, --data <data>', 'urlencoded body field name=value or @file (repeatable, joined with &)', collect)
    .option('--data-binary <data>', 'raw body, or @file')
    .option('-F, --form <field>', 'multipart field name=value or name=@file (repeatable)', collect)
    .option('-o, --output <file>', 'write the body to FILE')
    .option('-O, --remote-name', 'write the body to a file named like the URL path')
    .option('-I, --head', 'HEAD request; print the status line and headers')
    .option('-i, --include', 'print the status line and headers before the body')
    .option('-L, --location', 'follow redirects')
    .option('--max-redirects <n>', 'most redirects followed with -L', parseCount, 5)
    .option('-v, --verbose', 'print the request line and response headers on stderr')
    .option('--compressed', 'ask for gzip, deflate or br and decode the body')
    .option('--connect-timeout <seconds>', 'connect deadline (default: 60)', parsePositive)
    .option('--transfer-timeout <seconds>', 'transfer deadline (default: 1800)', parsePositive)
    .option('-m, --max-time <seconds>', 'deadline for the whole request', parsePositive)
    .option('-f, --fail', 'exit 22 with a one-line reason on an HTTP status of 400 or more')
    .option('-s, --silent', 'no progress bar')
    .option('--compress-request', 'gzip the request body (Content-Encoding: gzip)');
  addClientFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((url: string, flags: CurlFlags) => curl(url, flags));
}
