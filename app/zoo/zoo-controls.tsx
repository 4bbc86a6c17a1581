'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { ZooFacets } from '@/lib/zoo/list-zoo-rows';
import type { TZooQuery } from '@/lib/zoo/query';

/** Replace (or remove) one URL parameter and navigate; the server re-renders the filtered zoo. */
function useSetParam() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  return (key: string, value: string | null) => {
    const next = new URLSearchParams(params?.toString() ?? '');
    next.delete('page'); // a new filter starts at the first page
    if (value === null || value === '') next.delete(key);
    else next.set(key, value);
    const s = next.toString();
    router.push(s ? `${pathname}?${s}` : pathname, { scroll: false });
  };
}

const METHOD_LABELS: Record<string, string> = {
  baseline: 'Baseline',
  prune: 'Pruning',
  distill: 'Distillation',
  prune_distill: 'Pruning + distillation',
  quant: 'Quantization',
  nas: 'NAS',
};

export function FilterBar({ facets, query }: { facets: ZooFacets; query: TZooQuery }) {
  const setParam = useSetParam();
  const one = (v: Array<string | number> | undefined) => (v && v.length === 1 ? String(v[0]) : v && v.length > 1 ? '__multi' : '');
  const select = (name: string, label: string, value: string, options: Array<{ value: string; label: string }>) => (
    <label className="filter">
      <span>{label}</span>
      <select
        name={name}
        value={value}
        onChange={(e) => setParam(name, e.target.value === '__multi' ? null : e.target.value)}
        data-testid={`filter-${name}`}
      >
        <option value="">All</option>
        {value === '__multi' && <option value="__multi">(several)</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  const filters = ['backbone', 'dataset', 'method', 'strategy', 'inputSize', 'source', 'submitter', 'section', 'q'];
  const active = filters.some((k) => (query as Record<string, unknown>)[k] !== undefined);
  return (
    <form className="filter-bar" action="/zoo" method="get">
      {select(
        'backbone',
        'Backbone',
        one(query.backbone),
        facets.backbones.map((b) => ({ value: b, label: b })),
      )}
      {select(
        'dataset',
        'Dataset',
        one(query.dataset),
        facets.datasets.map((d) => ({ value: d.slug, label: d.name })),
      )}
      {select(
        'method',
        'Method',
        one(query.method),
        facets.methods.map((m) => ({ value: m, label: METHOD_LABELS[m] ?? m })),
      )}
      {select(
        'strategy',
        'Strategy',
        one(query.strategy),
        facets.strategies.map((s) => ({ value: s, label: s })),
      )}
      {select(
        'inputSize',
        'Input size',
        one(query.inputSize),
        facets.inputSizes.map((n) => ({ value: String(n), label: String(n) })),
      )}
      {select(
        'source',
        'Source',
        one(query.source),
        facets.sources.map((s) => ({ value: s, label: s === 'reported' ? 'Published' : 'Measured' })),
      )}
      {facets.submitters.length > 0 &&
        select(
          'submitter',
          'Submitted by',
          one(query.submitter),
          facets.submitters.map((s) => ({ value: s, label: s })),
        )}
      <label className="filter">
        <span>Search</span>
        <input
          type="search"
          name="q"
          defaultValue={query.q ?? ''}
          placeholder="model, slug or family"
          maxLength={100}
          data-testid="filter-q"
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            e.preventDefault();
            setParam('q', e.currentTarget.value.trim() || null);
          }}
        />
      </label>
      <noscript>
        <button type="submit" className="button">
          Apply
        </button>
      </noscript>
      {active && (
        <a className="reset" href="/zoo">
          Clear filters
        </a>
      )}
    </form>
  );
}

/** Column checkboxes: ordinary columns toggle `hide`, optional ones (off by default, e.g. AP50) toggle `show`. */
export function ColumnPicker({
  columns,
  hidden: hiddenProp,
  shown: shownProp,
}: {
  columns: Array<{ id: string; label: string; optional: boolean }>;
  hidden: string[];
  shown: string[];
}) {
  const setParam = useSetParam();
  // Optimistic: the checkbox flips at once; the server render that follows confirms it.
  const [hidden, setHidden] = useState(hiddenProp);
  const [shown, setShown] = useState(shownProp);
  const key = hiddenProp.join(',');
  const shownKey = shownProp.join(',');
  useEffect(() => setHidden(key ? key.split(',') : []), [key]);
  useEffect(() => setShown(shownKey ? shownKey.split(',') : []), [shownKey]);
  const toggle = (id: string, optional: boolean) => {
    const list = optional ? shown : hidden;
    const next = list.includes(id) ? list.filter((h) => h !== id) : [...list, id];
    (optional ? setShown : setHidden)(next);
    setParam(optional ? 'show' : 'hide', next.length ? next.join(',') : null);
  };
  const visible = (c: { id: string; optional: boolean }) => (c.optional ? shown.includes(c.id) : !hidden.includes(c.id));
  return (
    <details className="column-picker">
      <summary>Columns{hidden.length ? ` (${hidden.length} hidden)` : ''}</summary>
      <div className="column-list">
        {columns.map((c) => (
          <label key={c.id}>
            <input type="checkbox" checked={visible(c)} onChange={() => toggle(c.id, c.optional)} data-testid={`column-${c.id}`} />{' '}
            {c.label}
            {c.optional ? ' (optional)' : ''}
          </label>
        ))}
      </div>
    </details>
  );
}
