/**
 * A small XML element parser, enough for Pascal VOC annotation files: elements, attributes (skipped),
 * text with the five predefined entities and numeric character references, CDATA, comments, the XML
 * declaration and processing instructions, DOCTYPE without an internal subset. Malformed input throws a
 * SlimboardError naming the file and the byte offset.
 */
import { SlimboardError } from '../../errors';

export interface XmlElement {
  name: string;
  /** Concatenated direct text content (entities decoded). */
  text: string;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, fail: (msg: string) => never): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) fail(`unknown entity &${e};`);
    return v;
  });
}

export function parseXml(text: string, source: string): XmlElement {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new SlimboardError('bad_input', `${source}: malformed XML at offset ${pos} (${msg})`);
  };
  const skipMisc = () => {
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos])) pos++;
      if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<!DOCTYPE', pos)) {
        const end = text.indexOf('>', pos);
        if (end < 0) fail('unterminated DOCTYPE');
        pos = end + 1;
      } else return;
    }
  };
  const nameRe = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
  const readName = (): string => {
    nameRe.lastIndex = pos;
    const m = nameRe.exec(text);
    if (!m) fail('expected a name');
    pos += m![0].length;
    return m![0];
  };
  const parseElement = (): XmlElement => {
    if (text[pos] !== '<') fail('expected "<"');
    pos++;
    const name = readName();
    // attributes: skipped, but quoted values must be well formed
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos])) pos++;
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return { name, text: '', children: [] };
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      readName();
      while (/\s/.test(text[pos] ?? '')) pos++;
      if (text[pos] !== '=') fail('expected "=" in attribute');
      pos++;
      while (/\s/.test(text[pos] ?? '')) pos++;
      const q = text[pos];
      if (q !== '"' && q !== "'") fail('expected a quoted attribute value');
      const end = text.indexOf(q, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      pos = end + 1;
    }
    const el: XmlElement = { name, text: '', children: [] };
    for (;;) {
      if (pos >= text.length) fail(`unterminated element <${name}>`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const close = readName();
        if (close !== name) fail(`</${close}> closes <${name}>`);
        while (/\s/.test(text[pos] ?? '')) pos++;
        if (text[pos] !== '>') fail('expected ">"');
        pos++;
        return el;
      }
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA');
        el.text += text.slice(pos + 9, end);
        pos = end + 3;
      } else if (text.startsWith('<?', pos)) {
        const end = text.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (text[pos] === '<') {
        el.children.push(parseElement());
      } else {
        const end = text.indexOf('<', pos);
        const chunk = text.slice(pos, end < 0 ? text.length : end);
        el.text += decodeEntities(chunk, fail);
        pos += chunk.length;
      }
    }
  };
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (pos < text.length) fail('content after the root element');
  return root;
}
