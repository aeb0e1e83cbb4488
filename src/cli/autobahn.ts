import type { Command } from 'commander';
import { connect, type WebSocketCloseEvent } from '../index';
import { addCommonFlags, clientTls, withSnakeCaseAliases, type CommonFlags } from './common';
import { CliError } from './errors';
import { addIxFlags } from './ix-flags';
import { Output } from './output';

interface AutobahnFlags extends CommonFlags {
  url: string;
  agent: string;
  quiet?: boolean;
}

/** Autobahn|Testsuite's fuzzing server listens here by default. */
const DEFAULT_FUZZING_URL = 'ws://127.0.0.1:9001';

/** Upper bound on the case count a server may announce, so a bad answer cannot start a near-endless run. */
const MAX_CASES = 100_000;

/** Opens `url`; with `echo`, sends every message back in its own mode. Resolves with the close event. */
function session(url: string, flags: AutobahnFlags, echo: boolean, onText?: (text: string) => void): Promise<WebSocketCloseEvent> {
  return new Promise((resolve, reject) => {
    connect(url, { tls: clientTls(flags) }).subscribe({
      next: (event) => {
        if (event.type === 'message') {
          if (echo) event.socket.send(event.data);
          else if (!event.binary) onText?.(event.data);
        } else if (event.type === 'close') resolve(event);
      },
      error: reject,
    });
  });
}

/**
 * The Autobahn client compliance run, as IXWebSocket's `ws autobahn`: asks the fuzzing server for
 * its case count, runs every case (echoing each message back), then asks it to write its reports.
 */
async function autobahn(flags: AutobahnFlags): Promise<void> {
  const out = new Output({ json: flags.json });
  const base = flags.url.replace(/\/+$/, '');
  const agent = encodeURIComponent(flags.agent);
  let answer = '';
  await session(`${base}/getCaseCount`, flags, false, (text) => (answer = text));
  const count = Number(answer);
  if (!/^\d+$/.test(answer.trim()) || count > MAX_CASES) throw new CliError(`${base}/getCaseCount answered '${answer.slice(0, 80)}', not a case count: is ${base} an Autobahn fuzzing server?`);
  out.event('cases', 'blue', `${count} cases on ${base}`, { count, url: base });
  for (let i = 1; i <= count; i++) {
    const close = await session(`${base}/runCase?case=${i}&agent=${agent}`, flags, true).catch((err: { reason?: string }) => {
      out.event('case-error', 'red', `case ${i}: ${err.reason ?? String(err)}`, { case: i, reason: err.reason ?? String(err) });
      return undefined;
    });
    if (close && !flags.quiet) {
      out.event('case', 'cyan', `${i}/${count}: closed ${close.code}${close.reason ? ' ' + out.safe(close.reason) : ''}`, {
        case: i,
        of: count,
        code: close.code,
        reason: close.reason,
        remote: close.remote,
        wasClean: close.wasClean,
      });
    }
  }
  await session(`${base}/updateReports?agent=${agent}`, flags, false);
  out.event('done', 'green', `${count} cases run; the fuzzing server wrote its reports for agent ${flags.agent}`, { count, agent: flags.agent });
}

/** `rxws autobahn --url URL`: the Autobahn|Testsuite client run against a fuzzing server. */
export function registerAutobahn(program: Command): void {
  const cmd = program
    .command('autobahn')
    .description('Autobahn|Testsuite client compliance run: every case of a fuzzing server, echoing each message, then its reports')
    .option('--url <url>', 'the fuzzing server', DEFAULT_FUZZING_URL)
    .option('--agent <name>', 'the name the reports are filed under', 'rxws')
    .option('-q, --quiet', 'no line per case');
  addCommonFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((flags: AutobahnFlags) => autobahn(flags));
}
