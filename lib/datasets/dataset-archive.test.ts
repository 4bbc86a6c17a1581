import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { listArchiveEntries, packDirectory, safeArchivePath, splitUstarPath, unpackArchive, ustarHeader } from './dataset-archive';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-archive-'));
  return () => fs.rm(tmp, { recursive: true, force: true });
});

async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
}

async function pack(dir: string, out: string): Promise<string> {
  await pipeline(packDirectory(dir, await listArchiveEntries(dir)), createWriteStream(out));
  return createHash('sha256').update(await fs.readFile(out)).digest('hex');
}

async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await listArchiveEntries(root)) out[e.path] = await fs.readFile(path.join(root, e.path), 'latin1');
  return out;
}

describe('ustarHeader', () => {
  it('hand-checked fields of a 5-byte file "a.txt"', () => {
    const h = ustarHeader('a.txt', 5);
    expect(h.length).toBe(512);
    expect(h.toString('ascii', 0, 5)).toBe('a.txt');
    expect(h.toString('ascii', 100, 108)).toBe('0000644\0');
    expect(h.toString('ascii', 124, 136)).toBe('00000000005\0');
    expect(h.toString('ascii', 257, 265)).toBe('ustar\x0000');
    // checksum: sum of bytes with the field as spaces, 6 octal digits + NUL + space
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    expect(h.toString('ascii', 148, 156)).toBe(`${sum.toString(8).padStart(6, '0')}\0 `);
  });

  it('splits long paths at a slash: prefix ≤ 155, name ≤ 100', () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}`;
    expect(splitUstarPath(long)).toEqual({ prefix: 'd'.repeat(120), name: 'f'.repeat(90) });
    expect(() => splitUstarPath('x'.repeat(101))).toThrow(/too long/);
  });
});

describe('packDirectory / unpackArchive', () => {
  it('the same folder packs to the same bytes, whatever the file times and creation order', async () => {
    await writeTree(path.join(tmp, 'a'), { 'z.txt': 'zz', 'images/1.jpg': 'one', 'ann.json': '{}' });
    await writeTree(path.join(tmp, 'b'), { 'ann.json': '{}', 'images/1.jpg': 'one', 'z.txt': 'zz' });
    await fs.utimes(path.join(tmp, 'b', 'z.txt'), 1e6, 1e6);
    expect(await pack(path.join(tmp, 'a'), path.join(tmp, 'a.tar'))).toBe(await pack(path.join(tmp, 'b'), path.join(tmp, 'b.tar')));
  });

  it('GNU tar lists and extracts our archives with the same content', async () => {
    const files = { 'Annotations/0001.xml': '<annotation/>', 'ImageSets/Main/val.txt': '0001\n', [`${'deep/'.repeat(25)}x.txt`]: 'deep', 'empty.txt': '' };
    await writeTree(path.join(tmp, 'src'), files);
    await pack(path.join(tmp, 'src'), path.join(tmp, 'x.tar'));
    const listed = execFileSync('tar', ['-tf', path.join(tmp, 'x.tar')], { encoding: 'utf8' }).trim().split('\n');
    expect(listed.sort()).toEqual(Object.keys(files).sort());
    await fs.mkdir(path.join(tmp, 'gnu'));
    execFileSync('tar', ['-xf', path.join(tmp, 'x.tar'), '-C', path.join(tmp, 'gnu')]);
    expect(await readTree(path.join(tmp, 'gnu'))).toEqual(files);
  });

  it('we unpack what GNU tar packs (with its folder entries)', async () => {
    const files = { 'a/b.txt': 'bee', 'c.bin': Buffer.from([0, 1, 2, 255]).toString('latin1') };
    await writeTree(path.join(tmp, 'src'), { 'a/b.txt': 'bee', 'c.bin': Buffer.from([0, 1, 2, 255]) });
    execFileSync('tar', ['--format=ustar', '-cf', path.join(tmp, 'g.tar'), '-C', path.join(tmp, 'src'), 'a', 'c.bin']);
    await unpackArchive(path.join(tmp, 'g.tar'), path.join(tmp, 'out'));
    expect(await readTree(path.join(tmp, 'out'))).toEqual(files);
  });

  it('degenerate: an empty folder packs to the two end blocks and unpacks to an empty folder', async () => {
    await fs.mkdir(path.join(tmp, 'empty'));
    await pack(path.join(tmp, 'empty'), path.join(tmp, 'e.tar'));
    expect((await fs.readFile(path.join(tmp, 'e.tar'))).equals(Buffer.alloc(1024))).toBe(true);
    expect(await unpackArchive(path.join(tmp, 'e.tar'), path.join(tmp, 'e'))).toEqual({ files: 0, bytes: 0 });
  });

  it('EXPECTED FAILURE: a damaged or truncated archive is refused and leaves no folder', async () => {
    await writeTree(path.join(tmp, 'src'), { 'f.txt': 'x'.repeat(2000) });
    await pack(path.join(tmp, 'src'), path.join(tmp, 'ok.tar'));
    const bytes = await fs.readFile(path.join(tmp, 'ok.tar'));
    const flipped = Buffer.from(bytes);
    flipped[10] ^= 1;
    await fs.writeFile(path.join(tmp, 'bad.tar'), flipped);
    await expect(unpackArchive(path.join(tmp, 'bad.tar'), path.join(tmp, 'o1'))).rejects.toThrow(/checksum/);
    await fs.writeFile(path.join(tmp, 'cut.tar'), bytes.subarray(0, 1200));
    await expect(unpackArchive(path.join(tmp, 'cut.tar'), path.join(tmp, 'o2'))).rejects.toThrow(/cut short|ends early/);
    expect((await fs.readdir(tmp)).filter((n) => n.startsWith('o'))).toEqual(['ok.tar']);
  });

  it('EXPECTED FAILURE: symlinks are refused when packing; ../ paths when unpacking', async () => {
    await fs.mkdir(path.join(tmp, 'src'));
    await fs.symlink('/etc/passwd', path.join(tmp, 'src', 'link'));
    await expect(listArchiveEntries(path.join(tmp, 'src'))).rejects.toThrow(/symlinks/);
    expect(() => safeArchivePath('../x')).toThrow(/unsafe/);
    expect(() => safeArchivePath('/etc/x')).toThrow(/unsafe/);
    expect(safeArchivePath('./a//b')).toBe('a/b');
  });

  it('property: any small tree round-trips exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,6}(\/[a-z0-9]{1,6}){0,2}\.(txt|bin)$/), fc.uint8Array({ maxLength: 1500 }), { maxKeys: 6 }),
        async (tree) => {
          // a path that is also a folder of another path cannot exist on disk
          const names = Object.keys(tree);
          fc.pre(!names.some((a) => names.some((b) => b.startsWith(`${a}/`) || b.startsWith(`${a.replace(/\.(txt|bin)$/, '')}/`))));
          const dir = await fs.mkdtemp(path.join(tmp, 'p-'));
          await writeTree(path.join(dir, 'src'), Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, Buffer.from(v)])));
          await fs.mkdir(path.join(dir, 'src'), { recursive: true });
          await pack(path.join(dir, 'src'), path.join(dir, 'a.tar'));
          await unpackArchive(path.join(dir, 'a.tar'), path.join(dir, 'out'));
          expect(await readTree(path.join(dir, 'out'))).toEqual(Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, Buffer.from(v).toString('latin1')])));
        },
      ),
      { numRuns: 30 },
    );
  });
});
