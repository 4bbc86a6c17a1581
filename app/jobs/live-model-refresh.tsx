'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

/**
 * On a measured model's page: while its run has unfinished jobs, poll /api/runs?model=<slug> every
 * 2 s and re-render the page (server components) whenever another job finishes, so numbers appear
 * as they arrive. Renders a one-line status; nothing for models without a run.
 */
export function LiveModelRefresh({ slug }: { slug: string }) {
  const router = useRouter();
  const [line, setLine] = useState<string | null>(null);
  const lastDone = useRef<number | null>(null);
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const res = await fetch(`/api/runs?model=${encodeURIComponent(slug)}`, { cache: 'no-store' });
        const body = (await res.json()) as {
          runs?: Array<{ state: string; jobsDone: number; jobsTotal: number; failureReason: string | null }>;
        };
        const run = body.runs?.[0];
        if (!alive || !run) return;
        setLine(
          run.state === 'failed'
            ? `measurement failed: ${run.failureReason}`
            : `measurement ${run.state}: ${run.jobsDone}/${run.jobsTotal} jobs done`,
        );
        if (lastDone.current !== null && run.jobsDone !== lastDone.current) router.refresh();
        lastDone.current = run.jobsDone;
        if (run.state === 'queued' || run.state === 'running') timer = setTimeout(tick, 2000);
      } catch {
        if (alive) timer = setTimeout(tick, 5000);
      }
    };
    void tick();
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
  }, [slug, router]);
  return line ? (
    <p className="muted" data-testid="live-run-status">
      {line}
    </p>
  ) : null;
}
