/**
 * Benchmark: Slimboard's full COCO bbox evaluation of the val2017-sized synthetic case, JSON parsing
 * included, single thread (JavaScript runs on one thread; no workers are used). Prints the time per
 * stage, the total, and the ratio against pycocotools' 47 s for such a case on the project machine.
 *
 *   npx tsx tools/bench/coco-eval.ts [--runs 3] [--pycocotools [--pycocotools-path DIR]]
 *
 * The case is generated into .slimboard/bench/ when missing (tools/bench/coco-val2017-case.ts).
 * --pycocotools also runs the real pycocotools (importable by /usr/bin/python3, or from the directory
 * given by --pycocotools-path) on the same files with its standard COCO / loadRes / COCOeval calls, prints
 * its time, and checks that all 12 statistics are identical.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { accumulateCoco, COCO_STAT_NAMES, evaluateCocoImages, summarizeCoco } from '../../lib/metrics/coco';
import { readCocoGroundTruthFile, readCocoResultsFile } from '../../lib/metrics/formats/coco-json';
import { generateCocoVal2017Case } from './coco-val2017-case';

const PYCOCOTOOLS_SECONDS = 47;
const TARGET_SECONDS = 2.5;

const args = process.argv.slice(2);
const runsIdx = args.indexOf('--runs');
const runs = runsIdx >= 0 ? Number(args[runsIdx + 1]) : 3;
const withReference = args.includes('--pycocotools');
const pathIdx = args.indexOf('--pycocotools-path');
const pycocotoolsPath = pathIdx >= 0 ? (args[pathIdx + 1] ?? '') : '';

const dir = '.slimboard/bench';
let gtPath = path.join(dir, 'instances_val2017_synthetic.json');
let dtPath = path.join(dir, 'detections_val2017_synthetic.json');
if (!existsSync(gtPath) || !existsSync(dtPath)) {
  process.stdout.write('generating the val2017-sized case...\n');
  ({ gtPath, dtPath } = generateCocoVal2017Case(dir));
}

const cpuNowMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function runOnce() {
  const c0 = cpuNowMs();
  const t0 = performance.now();
  const gt = readCocoGroundTruthFile(gtPath);
  const t1 = performance.now();
  const c1 = cpuNowMs();
  const dt = readCocoResultsFile(dtPath, gt);
  const t2 = performance.now();
  const c2 = cpuNowMs();
  const images = evaluateCocoImages(gt, dt);
  const t3 = performance.now();
  const c3 = cpuNowMs();
  const acc = accumulateCoco(images);
  const t4 = performance.now();
  const c4 = cpuNowMs();
  const summary = summarizeCoco(acc);
  const t5 = performance.now();
  const c5 = cpuNowMs();
  return {
    cpuMs: c5 - c0,
    cpuStages: [c1 - c0, c2 - c1, c3 - c2, c4 - c3, c5 - c4],
    stats: summary.stats,
    sizes: { images: gt.imageIds.length, gt: gt.annImage.length, dt: dt.detImage.length, categories: gt.categories.length },
    ms: { loadGt: t1 - t0, loadResults: t2 - t1, evaluate: t3 - t2, accumulate: t4 - t3, summarize: t5 - t4, total: t5 - t0 },
  };
}

const results = [];
for (let r = 0; r < runs; r++) results.push(runOnce());
const best = results.reduce((a, b) => (b.ms.total < a.ms.total ? b : a));
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
process.stdout.write(
  `case: ${best.sizes.images} images, ${best.sizes.gt} GT boxes, ${best.sizes.dt} detections, ${best.sizes.categories} categories\n` +
    `machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}\n` +
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} cores (wall times under load are pessimistic)\n` +
    `runs (wall): ${results.map((r) => fmt(r.ms.total)).join(', ')}; (cpu time of this ` +
    `process): ${results.map((r) => fmt(r.cpuMs)).join(', ')}\n` +
    `best run (wall): load GT ${fmt(best.ms.loadGt)}, load results ${fmt(best.ms.loadResults)}, evaluate ${fmt(best.ms.evaluate)}, ` +
    `accumulate ${fmt(best.ms.accumulate)}, summarize ${fmt(best.ms.summarize)}\n` +
    `best run (cpu): ${best.cpuStages.map(fmt).join(', ')}; first run (cpu): ${results[0].cpuStages.map(fmt).join(', ')}\n` +
    `slimboard total: wall ${fmt(best.ms.total)}, cpu ${fmt(best.cpuMs)} (target <= ${TARGET_SECONDS} s): ` +
    `${(PYCOCOTOOLS_SECONDS / (best.ms.total / 1000)).toFixed(1)}x (wall) / ${(PYCOCOTOOLS_SECONDS / (best.cpuMs / 1000)).toFixed(1)}x ` +
    `(cpu) faster than pycocotools' ${PYCOCOTOOLS_SECONDS} s\n` +
    `stats: ${COCO_STAT_NAMES.map((n, i) => `${n}=${best.stats[i]}`).join(' ')}\n`,
);

if (withReference) {
  // Standard pycocotools usage (COCO, loadRes, COCOeval 'bbox'), timed end to end.
  const py = `
import json, sys, time, io, contextlib
if sys.argv[3]: sys.path.insert(0, sys.argv[3])
try:
    import matplotlib  # pycocotools.coco imports it for plotting only
except ImportError:
    import types
    for n in ['matplotlib', 'matplotlib.pyplot', 'matplotlib.collections', 'matplotlib.patches']: sys.modules[n] = types.ModuleType(n)
    sys.modules['matplotlib.collections'].PatchCollection = None; sys.modules['matplotlib.patches'].Polygon = None
t0 = time.time()
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(sys.argv[1]); dt = gt.loadRes(sys.argv[2])
    E = COCOeval(gt, dt, 'bbox'); E.evaluate(); E.accumulate(); E.summarize()
print(json.dumps({'seconds': time.time() - t0, 'cpu': time.process_time(), 'stats': [float(s) for s in E.stats]}))
`;
  const out = execFileSync('/usr/bin/python3', ['-c', py, gtPath, dtPath, pycocotoolsPath], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const ref = JSON.parse(out.trim().split('\n').pop() as string) as { seconds: number; cpu: number; stats: number[] };
  const identical = ref.stats.every((v, i) => v === best.stats[i]);
  const maxDiff = Math.max(...ref.stats.map((v, i) => Math.abs(v - best.stats[i])));
  process.stdout.write(
    `pycocotools measured here: wall ${ref.seconds.toFixed(1)} s, cpu ${ref.cpu.toFixed(1)} s -> ` +
      `ratio ${(ref.seconds / (best.ms.total / 1000)).toFixed(1)}x (wall), ${(ref.cpu / (best.cpuMs / 1000)).toFixed(1)}x (cpu)\n` +
      `statistics identical to pycocotools: ${identical ? 'yes (bit for bit)' : `NO (max |diff| ${maxDiff})`}\n`,
  );
  if (!identical) process.exitCode = 1;
}
