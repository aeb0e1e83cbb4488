// A client in its own process, so a test can measure what a hostile server costs it: connects
// with the options in argv[2] (JSON: { url, options }), and on the close event (or a failure)
// sends its peak RSS and what it received to the parent, then exits.
import { connect, type ConnectOptions } from 'rxws';

/** What the probe reports to the test. */
export interface ClientProbeReport {
  outcome: 'close' | 'error';
  code?: number;
  reason: string;
  /** Bytes of all messages delivered. */
  receivedBytes: number;
  /** Peak resident set size of this process, in bytes. */
  maxRssBytes: number;
}

const { url, options } = JSON.parse(process.argv[2] ?? '{}') as { url: string; options: ConnectOptions };
let receivedBytes = 0;
const report = (r: Omit<ClientProbeReport, 'receivedBytes' | 'maxRssBytes'>): void => {
  const full: ClientProbeReport = { ...r, receivedBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.send?.(full, () => process.exit(0));
};
connect(url, options).subscribe({
  next: (e) => {
    if (e.type === 'message') receivedBytes += e.wireSize;
    if (e.type === 'close') report({ outcome: 'close', code: e.code, reason: e.reason });
  },
  error: (err: Error) => report({ outcome: 'error', reason: err.message }),
});
