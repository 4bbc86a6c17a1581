'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { JobList } from '@/lib/jobs/list-jobs';
import { unknownDeviceName } from '@/lib/zoo/device-name';
import { ScrollFrame } from '../scroll-frame';

const STATES = ['queued', 'running', 'retrying', 'done', 'failed', 'cancelled'] as const;

export function JobsLive({ initial, runId }: { initial: JobList; runId: string | null }) {
  const [data, setData] = useState(initial);
  const [stale, setStale] = useState(false);
  const deviceOf = (slug: string | null) => (slug ? (data.devices.find((d) => d.slug === slug) ?? unknownDeviceName(slug)) : undefined);
  useEffect(() => {
    let alive = true;
    const tick = async () => {
      try {
        const res = await fetch(runId ? `/api/jobs?run=${encodeURIComponent(runId)}` : '/api/jobs', { cache: 'no-store' });
        if (res.ok && alive) {
          setData((await res.json()) as JobList);
          setStale(false);
        }
      } catch {
        if (alive) setStale(true);
      }
    };
    const t = setInterval(tick, 2000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [runId]);
  return (
    <>
      <ul className="job-counts" aria-label="Job counts">
        {STATES.map((s) => (
          <li key={s} className={`job-state-${s}`}>
            {s} <b data-testid={`count-${s}`}>{data.counts[s]}</b>
          </li>
        ))}
        {stale ? <li className="muted">(connection lost, retrying)</li> : null}
      </ul>
      <ScrollFrame label="Jobs">
        <table className="zoo-table jobs-table">
          <thead>
            <tr>
              <th className="sticky-col">Run</th>
              <th>Kind</th>
              <th className="num">Input</th>
              <th>State</th>
              <th>Progress</th>
              <th className="num">Attempts</th>
              <th>Device / worker</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {data.jobs.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No jobs yet. <Link href="/upload">Upload a model</Link> to start one.
                </td>
              </tr>
            ) : (
              data.jobs.map((j) => (
                <tr key={j.id} data-state={j.state}>
                  <td title={`run ${j.runId}`} className="sticky-col">
                    {j.modelSlug ? <Link href={`/models/${j.modelSlug}`}>{j.runName}</Link> : j.runName}
                    {!runId && (
                      <>
                        {' '}
                        <Link className="muted" href={`/jobs?run=${j.runId}`} title="only this run's jobs">
                          (run)
                        </Link>
                      </>
                    )}
                  </td>
                  <td>
                    {j.kind}
                    {j.dataset ? ` (${j.dataset})` : ''}
                  </td>
                  <td className="num">{j.inputSize}</td>
                  <td className={`job-state-${j.state}`}>{j.state}</td>
                  <td>
                    <progress max={1} value={j.progress} aria-label={`progress ${Math.round(j.progress * 100)}%`} />{' '}
                    {Math.round(j.progress * 100)}%
                  </td>
                  <td className="num">{j.attempts}</td>
                  <td className="muted" title={deviceOf(j.device ?? j.targetDevice)?.title}>
                    {(() => {
                      const slug = j.device ?? j.targetDevice;
                      return slug ? (deviceOf(slug)?.label ?? slug) : '';
                    })()}
                    {j.workerId ? ` · ${j.workerId}` : ''}
                  </td>
                  <td className="job-error">{j.error ?? ''}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </ScrollFrame>
      <h2>Devices</h2>
      <ul className="devices">
        {data.devices.map((d) => (
          <li key={d.slug}>
            <span title={d.title}>{d.label}</span>{' '}
            <span className="muted">
              ({d.runtime}; id <code>{d.slug}</code>; last seen {d.lastSeenAt ?? 'never'})
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
