'use client';

import { useSyncExternalStore } from 'react';

/**
 * The hovered point, outside React state so that hovering re-renders only the tooltip and the ring,
 * never the chart's 2,000 markers. Pixel position is relative to the chart container.
 */
export type THover = { key: string; xPx: number; yPx: number } | null;

export class HoverStore {
  private value: THover = null;
  private listeners = new Set<() => void>();
  get = (): THover => this.value;
  set(next: THover): void {
    if (next?.key === this.value?.key && next?.xPx === this.value?.xPx && next?.yPx === this.value?.yPx) return;
    this.value = next;
    for (const l of this.listeners) l();
  }
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export function useHover(store: HoverStore): THover {
  return useSyncExternalStore(store.subscribe, store.get, () => null);
}
