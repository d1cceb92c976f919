/**
 * The generated sections of docs/: a section sits between a begin and an end marker, and `npm run
 * docs` rewrites what is between them. Tests compare the committed docs with what would be written.
 */

/**
 * `doc` with the text between `begin` and `end` replaced by `body`; throws naming `file` when a marker is missing.
 *
 * @example
 * replaceBetween('a\n<!-- x:begin -->\nold\n<!-- x:end -->', '<!-- x:begin -->', '<!-- x:end -->', 'new', 'doc.md');
 * // 'a\n<!-- x:begin -->\nnew\n<!-- x:end -->'
 */
export function replaceBetween(doc: string, begin: string, end: string, body: string, file: string): string {
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end, start);
  if (start < 0 || stop < 0) throw new Error(`${file} lacks the markers ${begin} … ${end}`);
  return `${doc.slice(0, start + begin.length)}\n${body}\n${doc.slice(stop)}`;
}
