/**
 * Runs once when the Next.js server process starts. Node.js only: restore Content-Length on responses whose
 * handler declared it (downloads; see lib/http/content-length.ts for why Next.js drops it), and compute the zoo
 * views no reader waits for in a zoo-views process at the lowest priority (lib/zoo/views-process.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { installContentLengthRestore } = await import('./lib/http/content-length');
    installContentLengthRestore();
    const { enableZooViewsProcess } = await import('./lib/zoo/views-process');
    enableZooViewsProcess(process.cwd());
  }
}
