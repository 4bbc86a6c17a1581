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
import type { CocoDetections, CocoGroundTruth } from '../coco';

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_SAFE = 9007199254740992; // 2^53

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

export function scanCocoResults(bytes: Uint8Array, gt: CocoGroundTruth): CocoDetections | null {
  const n = bytes.length;
  let pos = 0;
  let ok = true;
  const imageOf = idLookup(gt.imageIds);
  const catOf = idLookup(gt.categories.map((c) => c.id));

  const skipWs = () => {
    while (pos < n) {
      const c = bytes[pos];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
  };

  const readNumber = (): number => {
    const start = pos;
    let neg = false;
    if (bytes[pos] === 0x2d) {
      neg = true;
      pos++;
    }
    let mant = 0;
    let digits = 0;
    let exp10 = 0;
    let c = bytes[pos];
    if (c === 0x30) {
      pos++;
      c = bytes[pos];
      if (c >= 0x30 && c <= 0x39) {
        ok = false; // leading zero: invalid JSON
        return 0;
      }
    } else if (c >= 0x31 && c <= 0x39) {
      while (pos < n && (c = bytes[pos]) >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        digits++;
        pos++;
      }
    } else {
      ok = false;
      return 0;
    }
    if (bytes[pos] === 0x2e) {
      pos++;
      const fracStart = pos;
      while (pos < n && (c = bytes[pos]) >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        if (mant !== 0) digits++;
        exp10--;
        pos++;
      }
      if (pos === fracStart) {
        ok = false;
        return 0;
      }
    }
    c = bytes[pos];
    if (c === 0x65 || c === 0x45) {
      pos++;
      let eneg = false;
      if (bytes[pos] === 0x2b) pos++;
      else if (bytes[pos] === 0x2d) {
        eneg = true;
        pos++;
      }
      const eStart = pos;
      let e = 0;
      while (pos < n && (c = bytes[pos]) >= 0x30 && c <= 0x39) {
        if (e < 100000) e = e * 10 + (c - 0x30);
        pos++;
      }
      if (pos === eStart) {
        ok = false;
        return 0;
      }
      exp10 += eneg ? -e : e;
    }
    let v: number;
    if (digits <= 15 && mant <= MAX_SAFE && exp10 >= -22 && exp10 <= 22) {
      v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
    } else {
      v = Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, pos - start).toString('latin1'));
      return v;
    }
    return neg ? -v : v;
  };

  /** Reads a key string; returns its KEY_* code, 0 for an unknown key (or sets ok=false). */
  const readKey = (): number => {
    if (bytes[pos] !== 0x22) {
      ok = false;
      return 0;
    }
    const start = ++pos;
    while (pos < n && bytes[pos] !== 0x22) {
      if (bytes[pos] === 0x5c) {
        ok = false;
        return 0;
      }
      pos++;
    }
    const len = pos - start;
    pos++;
    // image_id, category_id, bbox, score
    if (len === 8 && bytes[start] === 0x69 && bytes[start + 5] === 0x5f && bytes[start + 7] === 0x64 && bytes[start + 1] === 0x6d) return KEY_IMAGE;
    if (len === 11 && bytes[start] === 0x63 && bytes[start + 8] === 0x5f && bytes[start + 10] === 0x64 && bytes[start + 1] === 0x61) return KEY_CATEGORY;
    if (len === 4 && bytes[start] === 0x62 && bytes[start + 1] === 0x62 && bytes[start + 2] === 0x6f && bytes[start + 3] === 0x78) return KEY_BBOX;
    if (len === 5 && bytes[start] === 0x73 && bytes[start + 1] === 0x63 && bytes[start + 2] === 0x6f && bytes[start + 3] === 0x72 && bytes[start + 4] === 0x65) return KEY_SCORE;
    ok = false;
    return 0;
  };

  let cap = Math.max(16, Math.floor(n / 64));
  let detImage = new Int32Array(cap);
  let detCategory = new Int32Array(cap);
  let detBox = new Float64Array(cap * 4);
  let detScore = new Float64Array(cap);
  let D = 0;

  skipWs();
  if (bytes[pos] !== 0x5b) return null;
  pos++;
  skipWs();
  if (bytes[pos] === 0x5d) return null; // empty list: the general path reports it
  for (;;) {
    skipWs();
    if (bytes[pos] !== 0x7b) return null;
    pos++;
    if (D === cap) {
      cap *= 2;
      const grow = <T extends Int32Array | Float64Array>(a: T, size: number): T => {
        const b = new (a.constructor as { new (n: number): T })(size);
        b.set(a);
        return b;
      };
      detImage = grow(detImage, cap);
      detCategory = grow(detCategory, cap);
      detBox = grow(detBox, cap * 4);
      detScore = grow(detScore, cap);
    }
    let seen = 0;
    for (;;) {
      skipWs();
      const key = readKey();
      if (!ok || key === 0 || seen & key) return null;
      seen |= key;
      skipWs();
      if (bytes[pos] !== 0x3a) return null;
      pos++;
      skipWs();
      if (key === KEY_BBOX) {
        if (bytes[pos] !== 0x5b) return null;
        pos++;
        for (let j = 0; j < 4; j++) {
          skipWs();
          const v = readNumber();
          if (!ok || !Number.isFinite(v)) return null;
          detBox[D * 4 + j] = v;
          skipWs();
          if (bytes[pos] !== (j === 3 ? 0x5d : 0x2c)) return null;
          pos++;
        }
        if (detBox[D * 4 + 2] < 0 || detBox[D * 4 + 3] < 0) return null;
      } else {
        const v = readNumber();
        if (!ok || !Number.isFinite(v)) return null;
        if (key === KEY_IMAGE) {
          const i = imageOf(v);
          if (i < 0) return null;
          detImage[D] = i;
        } else if (key === KEY_CATEGORY) {
          const k = catOf(v);
          if (k < 0) return null;
          detCategory[D] = k;
        } else {
          detScore[D] = v;
        }
      }
      skipWs();
      const c = bytes[pos++];
      if (c === 0x2c) continue;
      if (c === 0x7d) break;
      return null;
    }
    if (seen !== (KEY_IMAGE | KEY_CATEGORY | KEY_BBOX | KEY_SCORE)) return null;
    D++;
    skipWs();
    const c = bytes[pos++];
    if (c === 0x2c) continue;
    if (c === 0x5d) break;
    return null;
  }
  skipWs();
  if (pos !== n) return null;
  return {
    detImage: detImage.slice(0, D),
    detCategory: detCategory.slice(0, D),
    detBox: detBox.slice(0, D * 4),
    detScore: detScore.slice(0, D),
  };
}
