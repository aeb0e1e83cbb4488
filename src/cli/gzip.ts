import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { parseCount, withSnakeCaseAliases } from './common';
import { CliError, ExitCode } from './errors';
import { addIxFlags } from './ix-flags';
import { djb2 } from './ix-pdu';
import { Output } from './output';

interface GzipFlags {
  json?: boolean;
  force?: boolean;
  runCount: number;
}

function refuseExisting(target: string, flags: GzipFlags): void {
  if (existsSync(target) && !flags.force) throw new CliError(`${target} already exists: remove it or pass --force`, ExitCode.usage);
}

/** `rxws gzip <file>` and `rxws gunzip <file.gz>`: IXWebSocket's gzip tools (FILE.gz next to FILE, and back). */
export function registerGzip(program: Command): void {
  const gzip = program
    .command('gzip')
    .description('compress FILE to FILE.gz (gzip format), printing sizes and djb2 checksums as IXWebSocket does')
    .argument('<file>', 'file to compress')
    .option('--run-count <n>', 'compress this many times (a benchmark); the file is written once', parseCount, 1)
    .option('-f, --force', 'replace an existing FILE.gz')
    .option('--json', 'print one event per line as JSON');
  addIxFlags(gzip);
  withSnakeCaseAliases(gzip).action((file: string, flags: GzipFlags) => {
    const out = new Output({ json: flags.json });
    const target = `${file}.gz`;
    refuseExisting(target, flags);
    const input = readFileSync(file);
    let compressed = gzipSync(input);
    const startedAt = performance.now();
    for (let i = 1; i < flags.runCount; i++) compressed = gzipSync(input);
    const elapsedMs = performance.now() - startedAt;
    writeFileSync(target, compressed);
    out.event('compressed', 'green', `${file} (${input.length} bytes, djb2 ${djb2(input)}) -> ${target} (${compressed.length} bytes, djb2 ${djb2(compressed)})`, {
      input: file,
      output: target,
      inputBytes: input.length,
      outputBytes: compressed.length,
      runs: Math.max(flags.runCount, 1),
      elapsedMs,
    });
  });

  const gunzip = program
    .command('gunzip')
    .description('decompress FILE.gz to FILE')
    .argument('<file>', 'a .gz file')
    .option('-f, --force', 'replace an existing output file')
    .option('--json', 'print one event per line as JSON');
  addIxFlags(gunzip);
  withSnakeCaseAliases(gunzip).action((file: string, flags: GzipFlags) => {
    const out = new Output({ json: flags.json });
    if (!file.endsWith('.gz') || file.length <= 3) throw new CliError(`${file}: expected a file name ending in .gz`, ExitCode.usage);
    const target = file.slice(0, -3);
    refuseExisting(target, flags);
    const input = readFileSync(file);
    let output: Buffer;
    try {
      output = gunzipSync(input);
    } catch (err) {
      throw new CliError(`${file} is not gzip data: ${(err as Error).message}`);
    }
    writeFileSync(target, output);
    out.event('decompressed', 'green', `${file} (${input.length} bytes) -> ${target} (${output.length} bytes, djb2 ${djb2(output)})`, {
      input: file,
      output: target,
      inputBytes: input.length,
      outputBytes: output.length,
    });
  });
}
