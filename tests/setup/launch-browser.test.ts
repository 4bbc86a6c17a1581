import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBrowser, isExecutableFile, staleBundledWarning, SYSTEM_CHROMIUM_ARGS } from './launch-browser';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-launch-browser-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string, mode: number): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  fs.chmodSync(p, mode);
  return p;
}

describe('isExecutableFile', () => {
  it('accepts a non-empty executable file', () => {
    expect(isExecutableFile(file('exe', '#!/bin/sh\n', 0o755))).toBe(true);
  });

  it('rejects what a hidden /usr/bin/chromium looks like: missing, empty, a device, a directory, not executable', () => {
    expect(isExecutableFile(path.join(dir, 'missing'))).toBe(false);
    expect(isExecutableFile(file('empty', '', 0o755))).toBe(false);
    expect(isExecutableFile('/dev/null')).toBe(false);
    expect(isExecutableFile(dir)).toBe(false);
    // X_OK needs at least one x bit, even for root.
    expect(isExecutableFile(file('plain', 'data', 0o644))).toBe(false);
  });
});

describe('chooseBrowser', () => {
  it('picks the system Chromium, with the Debian flags, when it is an executable file', async () => {
    const exe = file('chromium', '#!/bin/sh\n', 0o755);
    await expect(chooseBrowser(exe)).resolves.toEqual({ kind: 'system', executablePath: exe, args: SYSTEM_CHROMIUM_ARGS });
  });
});

describe('staleBundledWarning', () => {
  it('says nothing when the majors agree or a version is unknown', () => {
    expect(staleBundledWarning('143.0.7499.0', '143.0.4', '/tmp/chromium')).toBeNull();
    expect(staleBundledWarning('143.0.7499.0', undefined, '/tmp/chromium')).toBeNull();
    expect(staleBundledWarning('', '143.0.4', '/tmp/chromium')).toBeNull();
  });

  it('names the file to delete when another version unpacked it', () => {
    expect(staleBundledWarning('153.0.8010.0', '143.0.4', '/tmp/chromium')).toBe(
      '/tmp/chromium is Chromium 153.0.8010.0, unpacked earlier by another @sparticuz/chromium; ' +
        'this checkout has 143.0.4: delete /tmp/chromium to get Chromium 143',
    );
  });
});
