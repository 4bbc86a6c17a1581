import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The one place that picks and launches the browser for the e2e tests and the browser benchmarks.
 *
 * - Debian's Chromium at /usr/bin/chromium when it is installed (`apt-get install chromium`, as .ci/run does);
 * - otherwise the Chromium that arrives with `npm ci` in `@sparticuz/chromium` (a devDependency): its
 *   `executablePath()` unpacks the compressed binary into the temp directory (`os.tmpdir()/chromium`, ~10 s the
 *   first time, reused after that) and the launch uses the package's own flags.
 *
 * Both run headless. See docs/testing.md.
 */

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags for Debian's Chromium: headless, no sandbox (CI runs as root), nothing that phones home. */
export const SYSTEM_CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type TBrowserChoice = { kind: 'system' | 'bundled'; executablePath: string; args: readonly string[] };

/** An executable regular file (a bind-mounted /dev/null or an empty placeholder does not count). */
export function isExecutableFile(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size === 0) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Which Chromium this machine will use; `systemPath` is a parameter for tests only. */
export async function chooseBrowser(systemPath: string = SYSTEM_CHROMIUM): Promise<TBrowserChoice> {
  if (isExecutableFile(systemPath)) return { kind: 'system', executablePath: systemPath, args: SYSTEM_CHROMIUM_ARGS };
  let bundled: typeof import('@sparticuz/chromium').default;
  try {
    bundled = (await import('@sparticuz/chromium')).default;
  } catch (e) {
    throw new Error(
      `no browser for the e2e tests: ${systemPath} is not installed and @sparticuz/chromium could not be loaded ` +
        `(${e instanceof Error ? e.message : e}). Run \`npm ci\`, or install Debian's Chromium: apt-get install chromium`,
    );
  }
  const executablePath = await bundled.executablePath();
  return { kind: 'bundled', executablePath, args: bundled.args };
}

/** Launches headless Chromium (see chooseBrowser) and says once which one it picked. */
export async function launchBrowser(): Promise<Browser> {
  const choice = await chooseBrowser();
  const browser = await chromium.launch({ executablePath: choice.executablePath, args: [...choice.args], headless: true });
  console.log(`[browser] ${choice.kind} Chromium ${browser.version()} (${choice.executablePath})`);
  return browser;
}
