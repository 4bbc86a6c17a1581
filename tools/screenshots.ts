/**
 * The README's screenshots, taken from a running Slimboard (`npm start`):
 *
 *   npx tsx tools/screenshots.ts [--url http://localhost:3000] [--out docs/images] [--model SLUG]
 *
 * Writes zoo.png (`/zoo`), explorer.png (`/explorer`) and model.png (a model page, by default the seed's
 * YOLOv3-MobileNetV1 COCO r578 pruned and distilled) at 1440x900 CSS pixels, top of the page. The browser is the
 * tests' (tests/setup/launch-browser.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCliArgs } from '../lib/cli/args';
import { launchBrowser } from '../tests/setup/launch-browser';

const VIEWPORT = { width: 1440, height: 900 };
const DEFAULT_MODEL = 'yolov3-mobilenet-v1-coco-prune-r578-distill';

async function main(): Promise<void> {
  const { values } = parseCliArgs(
    process.argv.slice(2),
    {
      url: { type: 'string', default: 'http://localhost:3000' },
      out: { type: 'string', default: 'docs/images' },
      model: { type: 'string', default: DEFAULT_MODEL },
    },
    'screenshots',
  );
  const base = values.url.replace(/\/$/, '');
  const out = path.resolve(values.out);
  fs.mkdirSync(out, { recursive: true });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(60_000);
    const shot = async (urlPath: string, file: string, ready: string) => {
      const response = await page.goto(`${base}${urlPath}`);
      if (!response?.ok()) throw new Error(`${base}${urlPath} answered HTTP ${response?.status() ?? 'nothing'}`);
      await page.waitForSelector(ready);
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: path.join(out, file) });
      console.log(`${path.relative(process.cwd(), path.join(out, file))}  <- ${urlPath}`);
    };
    await shot('/zoo', 'zoo.png', 'table.zoo-table tbody tr');
    await shot('/explorer', 'explorer.png', '.sb-chart-host canvas.sb-data-canvas[data-points]');
    await shot(`/models/${values.model}`, 'model.png', 'h1');
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
