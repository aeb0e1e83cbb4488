// Headless Chromium (Debian's `chromium`) driven by playwright-core, for the browser interop specs.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium, or fails with what to install. One browser per spec file: launch in beforeAll. */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`The browser interop peer is missing: ${executablePath} not found (as root: apt-get install -y chromium)`);
  }
  try {
    return await chromium.launch({ executablePath, args: ARGS, timeout: 30_000 });
  } catch (err) {
    throw new Error(`Chromium at ${executablePath} did not start: ${(err as Error).message}`);
  }
}
