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
  /**
   * How far the peak RSS rose above the peak before connecting (loading the modules), in bytes:
   * what the connection cost, without the start-up that varies with the machine's load.
   */
  rssGrowthBytes: number;
}

const { url, options } = JSON.parse(process.argv[2] ?? '{}') as { url: string; options: ConnectOptions };
let receivedBytes = 0;
const peakBefore = process.resourceUsage().maxRSS * 1024;
const report = (r: Omit<ClientProbeReport, 'receivedBytes' | 'maxRssBytes' | 'rssGrowthBytes'>): void => {
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const full: ClientProbeReport = { ...r, receivedBytes, maxRssBytes, rssGrowthBytes: maxRssBytes - peakBefore };
  process.send?.(full, () => process.exit(0));
};
connect(url, options).subscribe({
  next: (e) => {
    if (e.type === 'message') receivedBytes += e.wireSize;
    if (e.type === 'close') report({ outcome: 'close', code: e.code, reason: e.reason });
  },
  error: (err: Error) => report({ outcome: 'error', reason: err.message }),
});
