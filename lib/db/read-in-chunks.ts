/**
 * `read` for each `size` ids in turn (in the order given), the results concatenated: one long `IN (…)` list becomes
 * several shorter queries, each decoded on its own, so the event loop is free between them. Rows of one id come
 * from one query, so an order within an id (e.g. `ORDER BY "createdAt"`) holds; the order across ids is by chunk.
 */
export async function readInChunks<T>(ids: readonly number[], size: number, read: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`readInChunks: size must be a positive integer, got ${size}`);
  if (ids.length <= size) return read([...ids]);
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) {
    for (const row of await read(ids.slice(i, i + size))) out.push(row);
  }
  return out;
}
