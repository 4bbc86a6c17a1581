import { describe, expect, it } from 'vitest';
import { dropUnreadInitializers, GraphBuilder } from './graph';

const one = () => Float32Array.from([1]);

/** x -> Add(x, read) -> y; initializers: read (read by Add), out (a graph output), unread, unread2 (also a graph input). */
function graph() {
  const g = new GraphBuilder('g');
  g.input('x', [1]);
  g.input('unread2', [1]); // IR < 4 style: an initializer listed as a graph input too
  g.output('y', [1]);
  g.output('out', [1]);
  for (const n of ['read', 'out', 'unread', 'unread2']) g.weight(n, [1], one());
  g.node('Add', ['x', 'read'], ['y'], {}, 'add');
  return g.build().graph!;
}

const names = (list: Array<{ name?: string | null }> | null | undefined) => (list ?? []).map((t) => t.name);

describe('dropUnreadInitializers', () => {
  it('removes the initializers nothing reads, with their graph inputs; keeps read ones and graph outputs', () => {
    const g = graph();
    expect([...dropUnreadInitializers(g)].sort()).toEqual(['unread', 'unread2']);
    expect(names(g.initializer)).toEqual(['read', 'out']);
    expect(names(g.input)).toEqual(['x']);
  });

  it('with candidates, only those go; nothing to drop leaves the graph as it was (degenerate)', () => {
    const g = graph();
    expect([...dropUnreadInitializers(g, new Set(['unread2', 'read']))]).toEqual(['unread2']);
    expect(names(g.initializer)).toEqual(['read', 'out', 'unread']);
    expect(names(g.input)).toEqual(['x']);
    expect(dropUnreadInitializers(g, new Set())).toEqual(new Set());
    expect(names(g.initializer)).toEqual(['read', 'out', 'unread']);
  });
});
