'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A frame for a wide table: the table scrolls sideways inside it (never the page), and while columns
 * are out of view on the right a "more columns →" button says so (a click scrolls by most of a frame).
 * Cells marked `sticky-col` (the model column) stay in view while the rest scrolls (CSS: globals.css).
 */
export function ScrollFrame({ children, label, className }: { children: ReactNode; label: string; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [moreRight, setMoreRight] = useState(false);
  const [moreLeft, setMoreLeft] = useState(false);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => {
      setMoreRight(el.scrollLeft + el.clientWidth < el.scrollWidth - 1);
      setMoreLeft(el.scrollLeft > 1);
    };
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = new ResizeObserver(update);
    ro.observe(el);
    for (const child of Array.from(el.children)) ro.observe(child);
    return () => {
      el.removeEventListener('scroll', update);
      ro.disconnect();
    };
  }, []);

  return (
    <div
      className={`scroll-frame${className ? ` ${className}` : ''}`}
      data-more-right={moreRight ? '1' : '0'}
      data-more-left={moreLeft ? '1' : '0'}
    >
      <div ref={ref} className="table-wrap" role="region" aria-label={label} tabIndex={0}>
        {children}
      </div>
      {moreRight && (
        <button
          type="button"
          className="more-columns"
          data-testid="more-columns"
          onClick={() => ref.current?.scrollBy({ left: Math.max(120, (ref.current?.clientWidth ?? 0) * 0.7), behavior: 'smooth' })}
        >
          more columns →
        </button>
      )}
    </div>
  );
}
