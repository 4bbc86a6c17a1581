/**
 * A byte scanner for the common shape of a COCO results file:
 *   [ {"image_id": n, "category_id": n, "bbox": [x, y, w, h], "score": s}, ... ]
 * (keys in any order, any whitespace). It fills typed arrays directly instead of building 500,000
 * objects. It returns null at the first thing it does not expect (unknown key, escapes, a problem
 * with an item...) and the caller falls back to JSON.parse + full validation, which produces the error
 * message. Numbers are converted exactly as JSON.parse does: the Clinger fast path (integer mantissa
 * <= 2^53 and |decimal exponent| <= 22 is correctly rounded by one IEEE multiply or divide), otherwise
 * Number() on the token text.
 */
import type { CocoGroundTruth } from '../coco';
import type { CocoResults, CocoResultsOptions } from './coco-json';

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** Id -> index lookup: a dense table for small non-negative integer ids, a Map otherwise. */
function idLookup(ids: number[]): (id: number) => number {
  let dense = ids.length > 0;
  let max = 0;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id > 50_000_000) dense = false;
    else if (id > max) max = id;
  }
  if (dense) {
    const table = new Int32Array(max + 1).fill(-1);
    ids.forEach((id, i) => (table[id] = i));
    return (id) => (Number.isInteger(id) && id >= 0 && id <= max ? table[id] : -1);
  }
  const map = new Map<number, number>();
  ids.forEach((id, i) => map.set(id, i));
  return (id) => map.get(id) ?? -1;
}

const KEY_IMAGE = 1;
const KEY_CATEGORY = 2;
const KEY_BBOX = 4;
const KEY_SCORE = 8;

/** Cursor over the bytes; methods on a class keep `pos` in a register-friendly field (closures were 3x slower). */
class Cursor {
  pos = 0;
  ok = true;
  constructor(readonly bytes: Uint8Array) {}

  skipWs(): void {
    const b = this.bytes;
    let p = this.pos;
    while (p < b.length) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  /** A JSON number, converted exactly as JSON.parse does; sets ok = false on a syntax error. */
  number(): number {
    const b = this.bytes;
    const n = b.length;
    const start = this.pos;
    let p = start;
    let neg = false;
    if (b[p] === 0x2d) {
      neg = true;
      p++;
    }
    let mant = 0;
    let digits = 0;
    let exp10 = 0;
    let c = b[p];
    if (c === 0x30) {
      p++;
      c = b[p];
      if (c >= 0x30 && c <= 0x39) return this.fail(); // leading zero
    } else if (c >= 0x31 && c <= 0x39) {
      while (p < n && (c = b[p]) >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        digits++;
        p++;
      }
    } else return this.fail();
    if (b[p] === 0x2e) {
      p++;
      const fracStart = p;
      while (p < n && (c = b[p]) >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        if (mant !== 0) digits++;
        exp10--;
        p++;
      }
      if (p === fracStart) return this.fail();
    }
    c = b[p];
    if (c === 0x65 || c === 0x45) {
      p++;
      let eneg = false;
      if (b[p] === 0x2b) p++;
      else if (b[p] === 0x2d) {
        eneg = true;
        p++;
      }
      const eStart = p;
      let e = 0;
      while (p < n && (c = b[p]) >= 0x30 && c <= 0x39) {
        if (e < 100000) e = e * 10 + (c - 0x30);
        p++;
      }
      if (p === eStart) return this.fail();
      exp10 += eneg ? -e : e;
    }
    this.pos = p;
    if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
      // Clinger's fast path: mant < 10^15 and 10^|e| are exact doubles, one correctly rounded operation
      const v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
      return neg ? -v : v;
    }
    return Number(Buffer.from(b.buffer, b.byteOffset + start, p - start).toString('latin1'));
  }

  /** Reads a key string; returns its KEY_* code, or 0 (and ok = false) for anything else. */
  key(): number {
    const b = this.bytes;
    if (b[this.pos] !== 0x22) return this.fail();
    const start = ++this.pos;
    let p = start;
    while (p < b.length && b[p] !== 0x22) {
      if (b[p] === 0x5c) return this.fail();
      p++;
    }
    this.pos = p + 1;
    const len = p - start;
    // image_id, category_id, bbox, score
    if (len === 8 && b[start] === 0x69 && b[start + 1] === 0x6d && b[start + 5] === 0x5f && b[start + 7] === 0x64) return KEY_IMAGE;
    if (len === 11 && b[start] === 0x63 && b[start + 1] === 0x61 && b[start + 8] === 0x5f && b[start + 10] === 0x64) return KEY_CATEGORY;
    if (len === 4 && b[start] === 0x62 && b[start + 1] === 0x62 && b[start + 2] === 0x6f && b[start + 3] === 0x78) return KEY_BBOX;
    if (len === 5 && b[start] === 0x73 && b[start + 1] === 0x63 && b[start + 2] === 0x6f && b[start + 3] === 0x72 && b[start + 4] === 0x65)
      return KEY_SCORE;
    return this.fail();
  }

  /** Consumes `ch` after optional whitespace; false if it is not there. */
  expect(ch: number): boolean {
    this.skipWs();
    if (this.bytes[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private fail(): number {
    this.ok = false;
    return 0;
  }
}

export function scanCocoResults(input: Uint8Array, gt: CocoGroundTruth, options: CocoResultsOptions = {}): CocoResults | null {
  // a plain Uint8Array view keeps element access monomorphic (Buffer is a subclass)
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const cur = new Cursor(bytes);
  const imageOf = idLookup(gt.imageIds);
  const catOf = idLookup(gt.categories.map((c) => c.id));

  let cap = Math.max(16, Math.floor(bytes.length / 64));
  let detImage = new Int32Array(cap);
  let detCategory = new Int32Array(cap);
  let detBox = new Float64Array(cap * 4);
  let detScore = new Float64Array(cap);
  let D = 0;
  let ignored = 0;
  const unknown = new Set<number>();

  if (!cur.expect(0x5b)) return null;
  cur.skipWs();
  if (bytes[cur.pos] === 0x5d) return null; // empty list: the general path reports it
  for (;;) {
    if (!cur.expect(0x7b)) return null;
    if (D === cap) {
      cap *= 2;
      const i32 = new Int32Array(cap);
      i32.set(detImage);
      detImage = i32;
      const c32 = new Int32Array(cap);
      c32.set(detCategory);
      detCategory = c32;
      const b64 = new Float64Array(cap * 4);
      b64.set(detBox);
      detBox = b64;
      const s64 = new Float64Array(cap);
      s64.set(detScore);
      detScore = s64;
    }
    let seen = 0;
    let unknownCategory = false;
    for (;;) {
      cur.skipWs();
      const key = cur.key();
      if (!cur.ok || seen & key) return null;
      seen |= key;
      if (!cur.expect(0x3a)) return null;
      cur.skipWs();
      if (key === KEY_BBOX) {
        if (bytes[cur.pos] !== 0x5b) return null;
        cur.pos++;
        for (let j = 0; j < 4; j++) {
          cur.skipWs();
          const v = cur.number();
          if (!cur.ok || !Number.isFinite(v)) return null;
          detBox[D * 4 + j] = v;
          if (!cur.expect(j === 3 ? 0x5d : 0x2c)) return null;
        }
        if (detBox[D * 4 + 2] < 0 || detBox[D * 4 + 3] < 0) return null;
      } else {
        const v = cur.number();
        if (!cur.ok || !Number.isFinite(v)) return null;
        if (key === KEY_IMAGE) {
          const i = imageOf(v);
          if (i < 0) return null;
          detImage[D] = i;
        } else if (key === KEY_CATEGORY) {
          const k = catOf(v);
          if (k < 0) {
            // not a GT category: left out (counted), or the general path reports it when strict
            if (options.strict) return null;
            unknownCategory = true;
            unknown.add(v);
          }
          detCategory[D] = k;
        } else {
          detScore[D] = v;
        }
      }
      cur.skipWs();
      const c = bytes[cur.pos++];
      if (c === 0x2c) continue;
      if (c === 0x7d) break;
      return null;
    }
    if (seen !== (KEY_IMAGE | KEY_CATEGORY | KEY_BBOX | KEY_SCORE)) return null;
    if (unknownCategory) ignored++;
    else D++;
    cur.skipWs();
    const c = bytes[cur.pos++];
    if (c === 0x2c) continue;
    if (c === 0x5d) break;
    return null;
  }
  cur.skipWs();
  if (cur.pos !== bytes.length) return null;
  // views, not copies: copying 20 MB costs more than the unused tail of the buffers
  return {
    detImage: detImage.subarray(0, D),
    detCategory: detCategory.subarray(0, D),
    detBox: detBox.subarray(0, D * 4),
    detScore: detScore.subarray(0, D),
    ignoredUnknownCategory: ignored,
    unknownCategoryIds: [...unknown].sort((a, b) => a - b),
  };
}
