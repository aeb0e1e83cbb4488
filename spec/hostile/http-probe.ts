// An httpRequest in its own process, so a test can measure what a hostile server's body costs
// it: requests argv[2] (JSON: { url, options }) and sends the outcome and its peak RSS to the parent.
import { httpRequest, HttpError, type HttpRequestOptions } from 'rxws/http';

/** What the probe reports to the test. */
export interface HttpProbeReport {
  outcome: 'response' | 'error';
  code?: string;
  reason: string;
  /** Body bytes of the response (buffered), or of its chunk events with `stream: true`. */
  bodyBytes: number;
  /** Peak resident set size of this process, in bytes. */
  maxRssBytes: number;
}

const { url, options } = JSON.parse(process.argv[2] ?? '{}') as { url: string; options: HttpRequestOptions };
let bodyBytes = 0;
const report = (r: Omit<HttpProbeReport, 'bodyBytes' | 'maxRssBytes'>): void => {
  const full: HttpProbeReport = { ...r, bodyBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.send?.(full, () => process.exit(0));
};
httpRequest(url, options).subscribe({
  next: (e) => {
    if (e.type === 'chunk') bodyBytes += e.data.length;
    if (e.type === 'response') {
      bodyBytes += e.body.length;
      report({ outcome: 'response', reason: `${e.status}` });
    }
  },
  error: (err: unknown) => report({ outcome: 'error', code: err instanceof HttpError ? err.code : undefined, reason: String((err as Error).message) }),
});
