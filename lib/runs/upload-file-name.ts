import { SlimboardError } from '../errors';

/**
 * The file name a user sends is kept only as a label (it becomes Content-Disposition on download);
 * storage is by sha256. Still, a name that tries to be a path is refused outright, so that nothing
 * downstream is ever tempted to join it to a directory. Any script is fine (`模型-ü.onnx`): the only rules are
 * the README's (no `/`, `\`, `..` or control characters) and the .onnx ending.
 */
export function checkUploadFileName(name: string): string {
  const shown = JSON.stringify(name.slice(0, 120));
  if (name.length === 0) throw new SlimboardError('bad_file_name', 'file name is empty');
  if (name.length > 200) throw new SlimboardError('bad_file_name', `file name ${shown}… is longer than 200 characters`);
  // Control and format characters (C0/C1, DEL, bidi overrides, zero-width) could hide what the name says.
  if (/[/\\]/.test(name) || name.includes('..') || /[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new SlimboardError(
      'bad_file_name',
      `file name ${shown} looks like a path (/, \\, .. or control characters); send a plain name like model.onnx`,
    );
  }
  if (!/\.onnx$/i.test(name) || name.trim() !== name) {
    throw new SlimboardError('bad_file_name', `file name ${shown} must end in .onnx and have no leading or trailing spaces`);
  }
  return name;
}
