// Worker-thread entry of the detection pipeline. Plain JavaScript so that it starts in any host
// (tsx CLI, vitest, a compiled worker): it loads the TypeScript body through tsx's scoped loader.
import { tsImport } from 'tsx/esm/api';

await tsImport('./detection-worker.ts', import.meta.url);
