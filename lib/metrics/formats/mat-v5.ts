/**
 * A minimal MATLAB Level 5 MAT-file reader (MATLAB "MAT-File Format" document, v5/v7 files; not v7.3,
 * which is HDF5): numeric matrices of every class (converted to float64, real part), char arrays, cell
 * arrays (nested), zlib-compressed elements (miCOMPRESSED, via node:zlib), both byte orders and the
 * small-data-element tag form. Structs, sparse and object arrays are reported as unsupported values.
 * Arrays are column-major, as MATLAB stores them.
 */
import { inflateSync } from 'node:zlib';
import { SlimboardError } from '../../errors';

export type MatValue =
  | { kind: 'numeric'; dims: number[]; data: Float64Array }
  | { kind: 'char'; dims: number[]; text: string }
  | { kind: 'cell'; dims: number[]; cells: MatValue[] }
  | { kind: 'unsupported'; dims: number[]; className: number };

// Data types (miXXX) and array classes (mxXXX_CLASS).
const MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6, MI_SINGLE = 7, MI_DOUBLE = 9;
const MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15, MI_UTF8 = 16, MI_UTF16 = 17, MI_UTF32 = 18;
const MX_CELL = 1, MX_CHAR = 4;
const MX_DOUBLE = 6, MX_UINT64 = 15;

interface Element {
  type: number;
  data: DataView;
  /** Offset just past the element (padded to 8 bytes unless compressed). */
  next: number;
}

export function readMatV5(bytes: Uint8Array, source: string): Map<string, MatValue> {
  const fail = (msg: string): never => {
    throw new SlimboardError('bad_input', `${source}: ${msg}`);
  };
  if (bytes.length < 128) fail('not a MAT-file (shorter than its 128-byte header)');
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, 128).toString('latin1');
  if (head.startsWith('MATLAB 7.3')) fail('MAT-file v7.3 (HDF5) is not supported; re-save it with save(..., "-v7")');
  if (!head.startsWith('MATLAB 5.0 MAT-file')) fail('not a MATLAB 5.0 MAT-file (header text missing)');
  const endian = head.slice(126, 128);
  if (endian !== 'IM' && endian !== 'MI') fail(`unknown byte-order mark ${JSON.stringify(endian)}`);
  const le = endian === 'IM';

  const readElement = (view: DataView, off: number): Element => {
    if (off + 8 > view.byteLength) fail(`truncated data element at byte ${off}`);
    const first = view.getUint32(off, le);
    if (first >>> 16 !== 0) {
      // small data element: 2-byte size, 2-byte type, up to 4 data bytes
      const nbytes = first >>> 16;
      const type = first & 0xffff;
      if (nbytes > 4) fail(`bad small data element at byte ${off}`);
      return { type, data: new DataView(view.buffer, view.byteOffset + off + 4, nbytes), next: off + 8 };
    }
    const type = first;
    const nbytes = view.getUint32(off + 4, le);
    if (off + 8 + nbytes > view.byteLength) fail(`data element at byte ${off} runs past the end (${nbytes} bytes)`);
    const data = new DataView(view.buffer, view.byteOffset + off + 8, nbytes);
    const next = type === MI_COMPRESSED ? off + 8 + nbytes : off + 8 + Math.ceil(nbytes / 8) * 8;
    return { type, data, next };
  };

  const toNumbers = (el: Element): Float64Array => {
    const v = el.data;
    const size: Record<number, number> = {
      [MI_INT8]: 1, [MI_UINT8]: 1, [MI_INT16]: 2, [MI_UINT16]: 2, [MI_INT32]: 4, [MI_UINT32]: 4,
      [MI_SINGLE]: 4, [MI_DOUBLE]: 8, [MI_INT64]: 8, [MI_UINT64]: 8, [MI_UTF8]: 1, [MI_UTF16]: 2, [MI_UTF32]: 4,
    };
    const s = size[el.type];
    if (s === undefined) fail(`unsupported numeric data type ${el.type}`);
    const n = Math.floor(v.byteLength / s);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * s;
      switch (el.type) {
        case MI_INT8: out[i] = v.getInt8(o); break;
        case MI_UINT8: case MI_UTF8: out[i] = v.getUint8(o); break;
        case MI_INT16: out[i] = v.getInt16(o, le); break;
        case MI_UINT16: case MI_UTF16: out[i] = v.getUint16(o, le); break;
        case MI_INT32: out[i] = v.getInt32(o, le); break;
        case MI_UINT32: case MI_UTF32: out[i] = v.getUint32(o, le); break;
        case MI_SINGLE: out[i] = v.getFloat32(o, le); break;
        case MI_DOUBLE: out[i] = v.getFloat64(o, le); break;
        case MI_INT64: out[i] = Number(v.getBigInt64(o, le)); break;
        case MI_UINT64: out[i] = Number(v.getBigUint64(o, le)); break;
      }
    }
    return out;
  };

  /** Parses a miMATRIX element's content; returns its name and value. */
  const parseMatrix = (el: Element, depth: number): { name: string; value: MatValue } => {
    if (depth > 64) fail('cell arrays nested too deeply');
    const v = el.data;
    if (v.byteLength === 0) return { name: '', value: { kind: 'numeric', dims: [0, 0], data: new Float64Array(0) } };
    let off = 0;
    const flagsEl = readElement(v, off);
    off = flagsEl.next;
    const flags = flagsEl.data.getUint32(0, le);
    const cls = flags & 0xff;
    const dimsEl = readElement(v, off);
    off = dimsEl.next;
    const dims = Array.from(toNumbers(dimsEl));
    const nameEl = readElement(v, off);
    off = nameEl.next;
    const name = Buffer.from(nameEl.data.buffer, nameEl.data.byteOffset, nameEl.data.byteLength).toString('latin1');
    const count = dims.reduce((a, b) => a * b, 1);
    if (cls === MX_CELL) {
      const cells: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const cellEl = readElement(v, off);
        off = cellEl.next;
        if (cellEl.type !== MI_MATRIX) fail(`cell element of type ${cellEl.type}, expected miMATRIX`);
        cells.push(parseMatrix(cellEl, depth + 1).value);
      }
      return { name, value: { kind: 'cell', dims, cells } };
    }
    if (cls === MX_CHAR) {
      const dataEl = count === 0 ? undefined : readElement(v, off);
      let textValue: string;
      if (dataEl && dataEl.type === MI_UTF8) {
        textValue = Buffer.from(dataEl.data.buffer, dataEl.data.byteOffset, dataEl.data.byteLength).toString('utf8');
      } else {
        const codes = dataEl ? toNumbers(dataEl) : new Float64Array(0);
        // column-major rows x cols: read row by row
        const rows = dims[0] ?? 0;
        const cols = count / Math.max(rows, 1);
        const parts: string[] = [];
        for (let r = 0; r < rows; r++) {
          let s = '';
          for (let c = 0; c < cols; c++) s += String.fromCharCode(codes[c * rows + r]);
          parts.push(s);
        }
        textValue = parts.join('\n');
      }
      return { name, value: { kind: 'char', dims, text: textValue } };
    }
    if (cls >= MX_DOUBLE && cls <= MX_UINT64) {
      const data = count === 0 ? new Float64Array(0) : toNumbers(readElement(v, off));
      if (data.length !== count) fail(`matrix "${name}" has ${data.length} values for dimensions ${dims.join('x')}`);
      return { name, value: { kind: 'numeric', dims, data } };
    }
    return { name, value: { kind: 'unsupported', dims, className: cls } };
  };

  const vars = new Map<string, MatValue>();
  const file = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 128;
  while (off + 8 <= file.byteLength) {
    let el = readElement(file, off);
    off = el.next;
    if (el.type === MI_COMPRESSED) {
      let raw: Buffer;
      try {
        raw = inflateSync(Buffer.from(el.data.buffer, el.data.byteOffset, el.data.byteLength));
      } catch (e) {
        fail(`corrupt compressed element (${(e as Error).message})`);
      }
      el = readElement(new DataView(raw!.buffer, raw!.byteOffset, raw!.byteLength), 0);
    }
    if (el.type !== MI_MATRIX) continue;
    const { name, value } = parseMatrix(el, 0);
    vars.set(name, value);
  }
  return vars;
}
