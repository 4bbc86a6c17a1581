import { SlimboardError } from '../errors';

/**
 * The file name a user sends is kept only as a label (it becomes Content-Disposition on download);
 * storage is by sha256. Still, a name that tries to be a path is refused outright, so that nothing
 * downstream is ever tempted to join it to a directory.
 */
export function checkUploadFileName(name: string): string {
  const shown = JSON.stringify(name.slice(0, 120));
  if (name.length === 0) throw new SlimboardError('bad_file_name', 'file name is empty');
  if (name.length > 200) throw new SlimboardError('bad_file_name', `file name ${shown}… is longer than 200 characters`);
  if (/[/\\]/.test(name) || name.includes('..') || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new SlimboardError('bad_file_name', `file name ${shown} looks like a path (/, \\, .. or control characters); send a plain name like model.onnx`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._ +()-]*\.onnx$/i.test(name)) {
    throw new SlimboardError('bad_file_name', `file name ${shown} must be a plain name ending in .onnx (letters, digits, space, . _ + - ( ))`);
  }
  return name;
}
