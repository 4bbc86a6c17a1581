/**
 * Pascal VOC XML for one synthetic image. VOC boxes are 1-based and inclusive:
 * xmin = x + 1, xmax = x + w for a COCO box [x, y, w, h] of pixel columns x .. x + w - 1.
 */
import type { Scene } from './scene';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function vocAnnotationXml(folder: string, fileName: string, scene: Pick<Scene, 'width' | 'height' | 'objects'>): string {
  const objects = scene.objects
    .map((o) => {
      const [x, y, w, h] = o.bbox;
      return [
        '  <object>',
        `    <name>${escapeXml(o.kind)}</name>`,
        '    <pose>Unspecified</pose>',
        `    <truncated>${o.truncated ? 1 : 0}</truncated>`,
        `    <occluded>${o.occludedFraction > 0 ? 1 : 0}</occluded>`,
        '    <difficult>0</difficult>',
        '    <bndbox>',
        `      <xmin>${x + 1}</xmin>`,
        `      <ymin>${y + 1}</ymin>`,
        `      <xmax>${x + w}</xmax>`,
        `      <ymax>${y + h}</ymax>`,
        '    </bndbox>',
        '  </object>',
      ].join('\n');
    })
    .join('\n');
  return [
    '<annotation>',
    `  <folder>${escapeXml(folder)}</folder>`,
    `  <filename>${escapeXml(fileName)}</filename>`,
    '  <source><database>Slimboard synthetic shapes</database></source>',
    '  <size>',
    `    <width>${scene.width}</width>`,
    `    <height>${scene.height}</height>`,
    '    <depth>3</depth>',
    '  </size>',
    '  <segmented>0</segmented>',
    objects,
    '</annotation>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}
