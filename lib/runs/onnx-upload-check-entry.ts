/**
 * Child-process entry of the upload check: `node --import tsx onnx-upload-check-entry.ts FILE LABEL`.
 * Exit 0 with the summary JSON on stdout; exit 2 with {code, message} JSON on stderr for a bad model.
 */
import { isSlimboardError } from '../errors';
import { checkOnnxFile } from './onnx-upload-check';

const [file, label] = process.argv.slice(2);
try {
  process.stdout.write(JSON.stringify(checkOnnxFile(file, label ?? file)));
} catch (e) {
  if (isSlimboardError(e)) {
    process.stderr.write(`${JSON.stringify({ code: e.code, message: e.message })}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
