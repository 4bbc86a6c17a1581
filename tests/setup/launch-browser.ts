import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
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

export type TBrowserChoice = {
  kind: 'system' | 'bundled';
  executablePath: string;
  args: readonly string[];
  /** The installed @sparticuz/chromium version (bundled only); its major is the Chromium major it unpacks. */
  packageVersion?: string;
};

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
  return { kind: 'bundled', executablePath, args: bundled.args, packageVersion: bundledPackageVersion() };
}

/** The version of the installed @sparticuz/chromium (its package.json is not exported, so read it from disk). */
function bundledPackageVersion(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
    // build/cjs/ has a package.json of its own ({"type": …}): walk up to the one that names the package.
    for (let dir = path.dirname(entry); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@sparticuz/chromium') return pkg.version;
    }
  } catch {
    // unknown version: no stale-binary check
  }
  return undefined;
}

/**
 * @sparticuz/chromium reuses whatever binary is at os.tmpdir()/chromium, even one another version unpacked. A line
 * saying so when the launched Chromium's major differs from the package's major; null when they agree or are unknown.
 */
export function staleBundledWarning(browserVersion: string, packageVersion: string | undefined, executablePath: string): string | null {
  const running = /^(\d+)\./.exec(browserVersion)?.[1];
  const expected = packageVersion ? /^(\d+)\./.exec(packageVersion)?.[1] : undefined;
  if (!running || !expected || running === expected) return null;
  return (
    `${executablePath} is Chromium ${browserVersion}, unpacked earlier by another @sparticuz/chromium; ` +
    `this checkout has ${packageVersion}: delete ${executablePath} to get Chromium ${expected}`
  );
}

/** Launches headless Chromium (see chooseBrowser) and says once which one it picked. */
export async function launchBrowser(): Promise<Browser> {
  const choice = await chooseBrowser();
  const browser = await chromium.launch({ executablePath: choice.executablePath, args: [...choice.args], headless: true });
  console.log(`[browser] ${choice.kind} Chromium ${browser.version()} (${choice.executablePath})`);
  const stale = choice.kind === 'bundled' ? staleBundledWarning(browser.version(), choice.packageVersion, choice.executablePath) : null;
  if (stale) console.warn(`[browser] warning: ${stale}`);
  return browser;
}
