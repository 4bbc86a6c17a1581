import { describe, expect, it } from 'vitest';
import { deviceName } from './device-name';
import { EXPORT_ADAPTER_COLUMNS, EXPORT_COCO_DETAIL_COLUMNS, EXPORT_LEADING_COLUMNS, EXPORT_TRAILING_COLUMNS, snakeCase, zooCsvHeader, zooRowsToCsv, zooRowsToJson } from './export';
import type { TCell, TZooRow } from './row';
import { parseRfc4180 } from '@/tests/rfc4180';

const BASE_URL = 'https://slimboard.example.org';

function cell(over: Partial<TCell> & Pick<TCell, 'metric' | 'value'>): TCell {
  return {
    decimals: 2, inputSize: 608, deviceSlug: null, comparable: false, baseline: null, delta: null, text: String(over.value),
    provenance: { kind: 'reported', sourceSlug: 'seed', sourceTitle: 'Seed', sourceUrl: null },
    ...over,
  };
}

const published: TZooRow = {
  id: 'prune-coco/2',
  section: { slug: 'prune-coco', title: 'Pruning', sourceTitle: null, position: 1, columns: [] },
  position: 2,
  source: 'reported',
  model: { slug: 'm', name: 'YOLOv3, "quoted"\r\nname', family: 'YOLOv3', backbone: 'B', backboneSlug: 'b', dataset: 'COCO', datasetSlug: 'coco', pretraining: null, method: 'prune', strategy: 'sensity', baselineSlug: 'x', parentSlug: 'x' },
  inputSize: 608,
  teacher: null,
  cells: {
    gflops: cell({
      metric: 'gflops', value: 37.53, comparable: true,
      baseline: { modelSlug: 'x', value: 44.71, decimals: 2 },
      delta: {
        kind: 'relative', value: -16.06, decimals: 2, verdict: 'better', text: '-16.06%', origin: 'published',
        check: { printed: '-16.06%', consistent: true, nearest: true, interval: { low: -16.08, high: -16.04, decimals: 2, text: '[-16.08, -16.04] %' } },
      },
    }),
    'latency:tesla-p4-trt': cell({ metric: 'latency_ms', value: 12.5, deviceSlug: 'tesla-p4-trt' }),
  },
  download: { url: 'https://example.org/m.tar', fileName: 'm.tar' },
};

const FINGERPRINT = 'd0123456789abcdef';
const measured: TZooRow = {
  ...published,
  id: 'runs-coco/1',
  section: { slug: 'runs-coco', title: 'Measured runs on COCO', sourceTitle: null, position: 100_000, columns: [] },
  position: 1,
  source: 'measured',
  model: { ...published.model, slug: 'my-run-1234abcd', name: 'My run' },
  inputSize: 416,
  cells: {
    params: cell({ metric: 'params', value: 965589, decimals: 0, inputSize: null, provenance: { kind: 'measured', jobId: 'j1', deviceSlug: null } }),
    boxAp: cell({ metric: 'box_ap', value: 31.25, decimals: 1, provenance: { kind: 'measured', jobId: 'j2', deviceSlug: null } }),
    [`latency:${FINGERPRINT}`]: cell({
      metric: 'latency_ms', value: 3.5, deviceSlug: FINGERPRINT, provenance: { kind: 'measured', jobId: 'j3', deviceSlug: FINGERPRINT },
      paired: { ratio: 0.715, low: 0.699, high: 0.732, text: '−28.5 % [−30.1, −26.8]', verdict: 'neutral', title: 't', significant: true, trusted: false },
      busy: { reasons: ['load average 3.1 per core'], title: 'busy' },
    }),
  },
  download: { url: '/api/artifacts/' + 'ab'.repeat(32), fileName: 'my.onnx', sha256: 'ab'.repeat(32) },
  cocoDetail: { ap50: 55.5, ap75: 30, apSmall: null, apMedium: 20.25, apLarge: 40, jobId: 'j2' },
  measuredAdapter: { origin: 'inherited', label: 'inherited from run 0a1b2c3d of the same bytes', summary: 'stretch, cubic · /255', jobId: 'j2' },
  run: { id: 'run-1', state: 'running', door: 'cli', submitter: 'ci, "nightly"', jobsDone: 2, jobsTotal: 3, jobsFailed: 0 },
};

const EPYC = deviceName({ slug: FINGERPRINT, name: 'x', runtime: 'onnxruntime-node 1.30 (cpu)', threads: 1, cpuModel: 'AMD EPYC 7B13 64-Core Processor', logicalCores: 2, executionProvider: 'cpu' }).label;
const TESLA = deviceName({ slug: 'tesla-p4-trt', name: 'Tesla P4', runtime: 'TensorRT (single GPU)' }).label;
const options = { baseUrl: BASE_URL, deviceLabels: { [FINGERPRINT]: EPYC, 'tesla-p4-trt': TESLA } };

/** The documented header (docs/exports.md) for rows with these two latency devices. */
const DOCUMENTED_HEADER = [
  'id', 'section', 'position', 'source', 'model_slug', 'model', 'family', 'backbone', 'dataset', 'pretraining', 'method', 'strategy',
  'input_size', 'teacher', 'teacher_accuracy',
  ...['params', 'gflops', 'model_size_mb', 'box_ap', 'voc_map', 'wider_easy', 'wider_medium', 'wider_hard', 'latency_ms_amd_epyc_7b13_2_cores_1_thread_cpu_ep', 'latency_ms_tesla_p4_tensorrt_single_gpu']
    .flatMap((m) => [
      m, `${m}_baseline`, `${m}_delta`, `${m}_delta_unit`, `${m}_delta_origin`, `${m}_delta_printed`,
      ...(m.startsWith('latency_ms_') ? [...['change_pct', 'low_pct', 'high_pct', 'significant', 'trusted'].map((x) => `${m}_paired_${x}`), `${m}_busy`] : []),
      ...(['box_ap', 'voc_map', 'wider_easy', 'wider_medium', 'wider_hard'].includes(m) ? ['delta_points', 'low_points', 'high_points', 'significant'].map((x) => `${m}_paired_${x}`) : []),
    ]),
  'ap50', 'ap75', 'ap_small', 'ap_medium', 'ap_large',
  'adapter_origin', 'adapter_label', 'adapter',
  'provenance', 'run_id', 'run_state', 'run_jobs_done', 'run_jobs_total', 'submitter', 'model_url', 'download_url',
];

describe('device names in headers', () => {
  it('the names the exports are built from (lib/zoo/device-name.ts)', () => {
    expect(EPYC).toBe('AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP');
    expect(TESLA).toBe('Tesla P4 (TensorRT (single GPU))');
  });
  it('snakeCase keeps only a-z, 0-9 and single underscores', () => {
    expect(snakeCase(EPYC)).toBe('amd_epyc_7b13_2_cores_1_thread_cpu_ep');
    expect(snakeCase(TESLA)).toBe('tesla_p4_tensorrt_single_gpu');
    expect(snakeCase('  Ünïcode · (x) ')).toBe('unicode_x');
    expect(snakeCase('···')).toBe('');
  });
});

describe('zooRowsToCsv', () => {
  it('round-trips through an RFC 4180 parser with the documented header; every field reads back', () => {
    const csv = zooRowsToCsv([published, measured], options);
    const records = parseRfc4180(csv);
    expect(records[0]).toEqual(DOCUMENTED_HEADER);
    expect(records).toHaveLength(3);
    for (const r of records) expect(r).toHaveLength(DOCUMENTED_HEADER.length);
    const [pub, mea] = records.slice(1).map((r) => Object.fromEntries(DOCUMENTED_HEADER.map((h, i) => [h, r[i]])));
    expect(pub.model).toBe(published.model.name);
    expect([pub.gflops, pub.gflops_baseline, pub.gflops_delta, pub.gflops_delta_unit]).toEqual(['37.53', '44.71', '-16.06', 'percent']);
    expect([pub.gflops_delta_origin, pub.gflops_delta_printed]).toEqual(['published', '']);
    expect(pub.latency_ms_tesla_p4_tensorrt_single_gpu).toBe('12.5');
    expect(pub.ap50).toBe('');
    expect(pub.run_id).toBe('');
    expect(mea.params).toBe('965589');
    expect(mea.box_ap).toBe('31.25');
    expect(mea.latency_ms_amd_epyc_7b13_2_cores_1_thread_cpu_ep).toBe('3.5');
    const paired = ['change_pct', 'low_pct', 'high_pct', 'significant', 'trusted'].map((x) => mea[`latency_ms_amd_epyc_7b13_2_cores_1_thread_cpu_ep_paired_${x}`]);
    expect(paired).toEqual(['-28.5', '-30.1', '-26.8', 'true', 'false']);
    expect(pub.latency_ms_tesla_p4_tensorrt_single_gpu_paired_change_pct).toBe('');
    // The single benchmark's noise guard: true (flagged busy) for the measured latency, empty for a published one.
    expect(mea.latency_ms_amd_epyc_7b13_2_cores_1_thread_cpu_ep_busy).toBe('true');
    expect(pub.latency_ms_tesla_p4_tensorrt_single_gpu_busy).toBe('');
    expect([mea.ap50, mea.ap75, mea.ap_small, mea.ap_medium, mea.ap_large]).toEqual(['55.5', '30', '', '20.25', '40']);
    expect([mea.adapter_origin, mea.adapter_label, mea.adapter]).toEqual(['inherited', 'inherited from run 0a1b2c3d of the same bytes', 'stretch, cubic · /255']);
    expect([pub.adapter_origin, pub.adapter_label, pub.adapter]).toEqual(['', '', '']);
    expect([mea.run_id, mea.run_state, mea.run_jobs_done, mea.run_jobs_total, mea.submitter]).toEqual(['run-1', 'running', '2', '3', 'ci, "nightly"']);
    expect(mea.provenance).toBe('measured:job j1 measured:job j2 measured:job j3');
  });

  it('every URL is absolute: model pages and downloads (stored files on the base URL, external ones unchanged)', () => {
    const records = parseRfc4180(zooRowsToCsv([published, measured], options));
    const at = (h: string) => DOCUMENTED_HEADER.indexOf(h);
    const urls = records.slice(1).flatMap((r) => [r[at('model_url')], r[at('download_url')]]);
    for (const u of urls) expect(new URL(u).protocol).toMatch(/^https?:$/);
    expect(urls).toEqual([
      `${BASE_URL}/models/m`,
      'https://example.org/m.tar',
      `${BASE_URL}/models/my-run-1234abcd`,
      `${BASE_URL}/api/artifacts/${'ab'.repeat(32)}`,
    ]);
  });

  it('every header is snake_case and unique; no device fingerprint in a header when the device is known', () => {
    const header = zooCsvHeader([published, measured], options.deviceLabels);
    for (const h of header) expect(h).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
    expect(new Set(header).size).toBe(header.length);
    expect(header.join(',')).not.toContain(FINGERPRINT);
  });

  it('an unknown device is headed by its slug; two devices with one label get their slugs appended', () => {
    expect(zooCsvHeader([measured])).toContain(`latency_ms_${FINGERPRINT}`);
    const twin = { ...measured, cells: { ...measured.cells, 'latency:d-other': cell({ metric: 'latency_ms', value: 1, deviceSlug: 'd-other' }) } };
    const header = zooCsvHeader([twin], { [FINGERPRINT]: 'Same', 'd-other': 'Same' });
    expect(header).toContain(`latency_ms_same_${FINGERPRINT}`);
    expect(header).toContain('latency_ms_same_d_other');
  });

  it('no rows: the fixed header only, no latency columns', () => {
    const records = parseRfc4180(zooRowsToCsv([], options));
    expect(records).toHaveLength(1);
    const pairedAp = 5 * 4; // <accuracy metric>_paired_* for box_ap, voc_map and the three WIDER FACE subsets
    const fixed = EXPORT_LEADING_COLUMNS.length + EXPORT_COCO_DETAIL_COLUMNS.length + EXPORT_ADAPTER_COLUMNS.length + EXPORT_TRAILING_COLUMNS.length;
    expect(records[0]).toHaveLength(fixed + 8 * 6 + pairedAp);
  });

  it('a printed delta outside its rounding interval: the computed one, with the printed one beside it', () => {
    const flagged = structuredClone(published);
    flagged.cells.gflops.delta = {
      kind: 'relative', value: -16.06, decimals: 2, verdict: 'better', text: '-16.06%', origin: 'computed',
      check: { printed: '-19.00%', consistent: false, nearest: false, interval: { low: -16.08, high: -16.04, decimals: 2, text: '[-16.08, -16.04] %' } },
    };
    const [header, line] = parseRfc4180(zooRowsToCsv([flagged], options));
    const at = (h: string) => line[header.indexOf(h)];
    expect([at('gflops_delta'), at('gflops_delta_origin'), at('gflops_delta_printed')]).toEqual(['-16.06', 'computed', '-19.00%']);
  });

  it('the test parser refuses malformed CSV (it can fail)', () => {
    expect(() => parseRfc4180('a,"b\r\n')).toThrow(/unterminated/);
    expect(() => parseRfc4180('a,b"c\r\n')).toThrow(/bare/);
    expect(() => parseRfc4180('a,b')).toThrow(/CRLF/);
  });
});

describe('zooRowsToJson', () => {
  it('makes download URLs absolute and adds each model page URL', () => {
    const json = zooRowsToJson([published, measured], options);
    expect(json.count).toBe(2);
    expect(json.rows.map((r) => r.download?.url)).toEqual(['https://example.org/m.tar', `${BASE_URL}/api/artifacts/${'ab'.repeat(32)}`]);
    expect(json.rows.map((r) => r.modelUrl)).toEqual([`${BASE_URL}/models/m`, `${BASE_URL}/models/my-run-1234abcd`]);
    expect(measured.download?.url.startsWith('/')).toBe(true);
  });
});
