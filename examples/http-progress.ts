// HTTP download with progress: httpRequest emits downloadProgress events, then the response.
// Run: npx tsx examples/http-progress.ts https://example.com/
import { lastValueFrom, tap } from 'rxjs';
import { httpRequest, type HttpEvent } from 'rxws/http';

export async function main(url = 'https://example.com/', log: (line: string) => void = console.log): Promise<number> {
  let lastPercent = -1;
  const report = (event: HttpEvent): void => {
    if (event.type === 'sent') log(`${event.method} ${event.url}`);
    if (event.type === 'responseHeader') log(`status ${event.status}`);
    if (event.type === 'downloadProgress' && event.total) {
      const percent = Math.floor((event.loaded / event.total) * 100);
      // Print each 25 % step once.
      if (percent >= lastPercent + 25 || percent === 100) log(`downloaded ${(lastPercent = percent)}%`);
    }
  };
  const response = await lastValueFrom(httpRequest(url).pipe(tap(report)));
  if (response.type !== 'response') throw new Error('no response');
  log(`done: ${response.body.byteLength} bytes`);
  return response.body.byteLength;
}

if (require.main === module) {
  main(process.argv[2]).catch((err: { reason?: string }) => {
    console.error(err.reason ?? err);
    process.exitCode = 1;
  });
}
