import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlimboardError } from '../errors';

/**
 * Datasets travel as one deterministic POSIX ustar archive, so that the same folder always gives the
 * same bytes and therefore the same sha256 (the dataset's identity in the artifact store).
 *
 * Determinism: regular files only (directories are implied by paths), in byte order of their relative
 * '/'-separated path; mode 0644, uid/gid 0, empty user/group names, mtime 0. Symlinks, devices and
 * other special files are refused (a dataset must not point outside itself).
 *
 * ustar header (512 bytes): name[100] mode[8] uid[8] gid[8] size[12] mtime[12] chksum[8] typeflag[1]
 * linkname[100] magic "ustar\0" version "00" uname[32] gname[32] devmajor[8] devminor[8] prefix[155].
 * Numbers are octal, NUL-terminated. chksum = sum of all header bytes with the chksum field read as 8
 * spaces, written as 6 octal digits, NUL, space. Paths over 100 bytes are split at a '/' into prefix
 * (≤ 155) and name (≤ 100). Sizes up to 8 GiB − 1 (11 octal digits). Two zero blocks end the archive.
 * GNU tar and bsdtar read these archives (the test checks GNU tar).
 */
const BLOCK = 512;
const MAX_FILE_BYTES = 8 ** 11 - 1;

export interface ArchiveEntry {
  /** Relative path with '/' separators. */
  path: string;
  sizeBytes: number;
}

/** Every regular file under `dir`, sorted by relative path (byte order). */
export async function listArchiveEntries(dir: string): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    for (const e of await fs.readdir(abs, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const childAbs = path.join(abs, e.name);
      if (e.isDirectory()) await walk(childAbs, childRel);
      else if (e.isFile()) {
        const s = await fs.stat(childAbs);
        if (s.size > MAX_FILE_BYTES) throw new SlimboardError('bad_dataset', `${childRel}: files over 8 GiB cannot be packed`);
        out.push({ path: childRel, sizeBytes: s.size });
      } else {
        throw new SlimboardError(
          'bad_dataset',
          `${childRel}: only regular files and folders can be packed (symlinks and special files are refused)`,
        );
      }
    }
  }
  await walk(dir, '');
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

function writeOctal(buf: Buffer, offset: number, width: number, value: number): void {
  buf.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

/** Split a path into ustar (prefix, name), or throw when it cannot be represented. */
export function splitUstarPath(p: string): { prefix: string; name: string } {
  const bytes = Buffer.byteLength(p);
  if (bytes <= 100) return { prefix: '', name: p };
  for (let i = p.length - 1; i > 0; i--) {
    if (p[i] !== '/') continue;
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name.length > 0) return { prefix, name };
  }
  throw new SlimboardError(
    'bad_dataset',
    `${p}: path too long for a portable archive (name ≤ 100 bytes after a folder prefix ≤ 155 bytes)`,
  );
}

export function ustarHeader(entryPath: string, sizeBytes: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitUstarPath(entryPath);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, sizeBytes);
  writeOctal(h, 136, 12, 0);
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** The archive of `dir` as a stream (constant memory: files are streamed, never loaded whole). */
export function packDirectory(dir: string, entries: ArchiveEntry[]): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    for (const e of entries) {
      yield ustarHeader(e.path, e.sizeBytes);
      let sent = 0;
      for await (const chunk of createReadStream(path.join(dir, ...e.path.split('/')))) {
        sent += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (sent !== e.sizeBytes)
        throw new SlimboardError('bad_dataset', `${e.path} changed size while being packed (${e.sizeBytes} → ${sent} bytes)`);
      const pad = (BLOCK - (sent % BLOCK)) % BLOCK;
      if (pad) yield Buffer.alloc(pad);
    }
    yield Buffer.alloc(2 * BLOCK);
  }
  return Readable.from(generate());
}

function readOctal(h: Buffer, offset: number, width: number): number {
  const s = h
    .toString('ascii', offset, offset + width)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]*$/.test(s)) throw new SlimboardError('bad_archive', `dataset archive: bad number field "${s}"`);
  return s ? parseInt(s, 8) : 0;
}

function cString(h: Buffer, offset: number, width: number): string {
  const end = h.indexOf(0, offset);
  return h.toString('utf8', offset, end === -1 || end > offset + width ? offset + width : end);
}

/** A safe relative path from an archive, or an error: no absolute paths, no '..', no backslashes. */
export function safeArchivePath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (p.startsWith('/') || p.includes('\\') || parts.length === 0 || parts.some((s) => s === '..')) {
    throw new SlimboardError('bad_archive', `dataset archive: unsafe path "${p}" (absolute, empty, or with ..)`);
  }
  return parts.join('/');
}

/**
 * Unpack a ustar archive (as written by packDirectory; GNU tar's regular files and folders too) into
 * `destDir`, which must not exist yet. Files are copied in 1 MiB pieces (constant memory). The result
 * appears by one rename, so a reader never sees half a dataset.
 */
export async function unpackArchive(archivePath: string, destDir: string): Promise<{ files: number; bytes: number }> {
  const tmpDir = `${destDir}.tmp-${randomUUID()}`;
  const fh = await fs.open(archivePath, 'r');
  let files = 0;
  let bytes = 0;
  try {
    await fs.mkdir(tmpDir, { recursive: true });
    const size = (await fh.stat()).size;
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    for (;;) {
      if (pos + BLOCK > size)
        throw new SlimboardError('bad_archive', 'dataset archive ends early (no end-of-archive blocks): re-pack or re-upload it');
      await fh.read(header, 0, BLOCK, pos);
      pos += BLOCK;
      if (header.every((b) => b === 0)) break;
      const stored = readOctal(header, 148, 8);
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
      if (sum !== stored)
        throw new SlimboardError('bad_archive', `dataset archive: header checksum mismatch at byte ${pos - BLOCK}: the file is damaged`);
      const type = String.fromCharCode(header[156] || 48);
      const prefix = cString(header, 345, 155);
      const name = cString(header, 0, 100);
      const entrySize = readOctal(header, 124, 12);
      const raw = prefix ? `${prefix}/${name}` : name;
      // `tar -cf x.tar -C DIR .` starts with the folder itself ("./"): nothing to create.
      if (type === '5' && raw.split('/').every((s) => s === '' || s === '.')) continue;
      const rel = safeArchivePath(raw);
      if (type === '5') {
        await fs.mkdir(path.join(tmpDir, ...rel.split('/')), { recursive: true });
      } else if (type === '0' || type === '7') {
        if (pos + entrySize > size) throw new SlimboardError('bad_archive', `dataset archive: ${rel} is cut short: the file is damaged`);
        const out = path.join(tmpDir, ...rel.split('/'));
        await fs.mkdir(path.dirname(out), { recursive: true });
        if (entrySize === 0) await fs.writeFile(out, '', { flag: 'wx' });
        else
          await pipeline(
            fh.createReadStream({ start: pos, end: pos + entrySize - 1, autoClose: false }),
            createWriteStream(out, { flags: 'wx' }),
          );
        files++;
        bytes += entrySize;
      } else {
        throw new SlimboardError(
          'bad_archive',
          `dataset archive: ${rel} has entry type "${type}"; only regular files and folders are allowed`,
        );
      }
      pos += Math.ceil(entrySize / BLOCK) * BLOCK;
    }
    await fs.rename(tmpDir, destDir);
    return { files, bytes };
  } catch (e) {
    await fs.rm(tmpDir, { recursive: true, force: true });
    throw e;
  } finally {
    await fh.close();
  }
}
