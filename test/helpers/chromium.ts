import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Launches the system's headless Chromium (Debian's `chromium`, installed by scripts/ensure-chromium.sh).
 * The background-networking flags keep it from reaching for Google's hosts.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((candidate): candidate is string => Boolean(candidate && existsSync(candidate)));
  if (!executablePath) {
    throw new Error('no Chromium found: run `bash scripts/ensure-chromium.sh` (installs Debian\'s chromium) or set CHROMIUM_PATH');
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
