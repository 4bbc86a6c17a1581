import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WRITER = path.join('lib', 'zoo', 'measurement-writes.ts');
/** Writes of Measurement rows: raw SQL or the Prisma model's mutating methods. */
const WRITE = /(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"Measurement"|\.measurement\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\b/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, name);
    if (name === 'generated' || name === 'node_modules' || name === '__fixtures__') continue;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(rel);
  }
  return out;
}

describe('Measurement rows have one writer', () => {
  it('no application code outside lib/zoo/measurement-writes.ts writes a Measurement', () => {
    const files = ['lib', 'app', 'workers'].flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((f) => f !== WRITER && WRITE.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
  it('the pattern catches each kind of write (so the check above can fail)', () => {
    for (const text of [
      'INSERT INTO "Measurement" (x) VALUES (1)',
      'DELETE FROM "Measurement" WHERE 1',
      'UPDATE "Measurement" SET value = 1',
      'tx.measurement.create({ data })',
      'db.measurement.deleteMany({})',
    ]) {
      expect(WRITE.test(text)).toBe(true);
    }
    expect(WRITE.test('db.measurement.findMany({})')).toBe(false);
    expect(WRITE.test(readFileSync(path.join(ROOT, WRITER), 'utf8'))).toBe(true);
  });
});
