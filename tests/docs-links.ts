import fs from 'node:fs';
import path from 'node:path';

/**
 * Relative links in markdown files: every `[text](target)` / `![alt](target)` outside code, resolved against the
 * file's folder, must name an existing file, and a `#fragment` into a markdown file must name one of its headings.
 */

export type TBrokenLink = { file: string; line: number; target: string; problem: string };

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, each space a `-`. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Lines of a markdown text with fenced code blocks blanked (line numbers stay), and inline code removed. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, '');
  });
}

/** Anchors of a markdown file's headings; repeated headings get -1, -2, … as on GitHub. */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = headingSlug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Link targets on each line: inline links and images, angle brackets and titles stripped. */
export function linkTargets(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  proseLines(text).forEach((line, i) => {
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ line: i + 1, target: m[1] ?? m[2] });
    }
  });
  return out;
}

/** Broken relative links of one markdown file (absolute URLs and mailto are not followed). */
export function brokenLinks(file: string): TBrokenLink[] {
  const text = fs.readFileSync(file, 'utf8');
  const broken: TBrokenLink[] = [];
  for (const { line, target } of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const hash = target.indexOf('#');
    const filePart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const fragment = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
    const resolved = filePart === '' ? file : path.resolve(path.dirname(file), filePart);
    if (!fs.existsSync(resolved)) {
      broken.push({ file, line, target, problem: `no such file: ${path.relative(process.cwd(), resolved)}` });
      continue;
    }
    if (fragment !== null && resolved.endsWith('.md') && !headingAnchors(fs.readFileSync(resolved, 'utf8')).has(fragment)) {
      broken.push({ file, line, target, problem: `no heading with anchor #${fragment}` });
    }
  }
  return broken;
}
