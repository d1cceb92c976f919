/**
 * Trims a source map to the sources worth mapping. The bundled AWS SDK is most of every bundle; its
 * mappings are most of the map, and a stack frame inside the SDK is rarely what one debugs. Dropping
 * them keeps each zip well under 250 KB and makes `--enable-source-maps` cheaper at cold start.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((char, index) => [char, index]));

export interface RawSourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: (string | null)[];
  [field: string]: unknown;
}

/** Decodes one segment's base64 VLQ fields. */
export function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`invalid base64 VLQ character ${JSON.stringify(char)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

export function encodeValue(value: number): string {
  let vlq = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = vlq & 31;
    vlq >>>= 5;
    if (vlq > 0) digit |= 32;
    out += BASE64[digit];
  } while (vlq > 0);
  return out;
}

/**
 * Keeps only the mappings into sources for which `keep(source)` is true, re-indexing sources and names.
 * Code from dropped sources stays in the map as unmapped, so a position there resolves to nothing
 * rather than to the nearest kept line.
 *
 * @example
 * const trimmed = keepSources(map, (source) => !source.includes('node_modules/'));
 */
export function keepSources(map: RawSourceMap, keep: (source: string) => boolean): RawSourceMap {
  const sourceIndex = new Map<number, number>();
  const sources: string[] = [];
  const sourcesContent: (string | null)[] = [];
  map.sources.forEach((source, index) => {
    if (!keep(source)) return;
    sourceIndex.set(index, sources.length);
    sources.push(source);
    if (map.sourcesContent) sourcesContent.push(map.sourcesContent[index] ?? null);
  });
  const nameIndex = new Map<number, number>();
  const names: string[] = [];

  // Absolute state while decoding (all fields but the column carry over lines) and while encoding.
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  let outSource = 0;
  let outLine = 0;
  let outColumn = 0;
  let outName = 0;
  const lines = map.mappings.split(';').map((encodedLine) => {
    let generatedColumn = 0;
    let outGeneratedColumn = 0;
    const kept: string[] = [];
    for (const segment of encodedLine.split(',')) {
      if (segment === '') continue;
      const fields = decodeSegment(segment);
      generatedColumn += fields[0]!;
      if (fields.length < 4) continue;
      source += fields[1]!;
      line += fields[2]!;
      column += fields[3]!;
      if (fields.length >= 5) name += fields[4]!;
      const newSource = sourceIndex.get(source);
      if (newSource === undefined) {
        // A one-field segment marks the code as unmapped, so it does not borrow the previous mapping.
        kept.push(encodeValue(generatedColumn - outGeneratedColumn));
        outGeneratedColumn = generatedColumn;
        continue;
      }
      let encoded =
        encodeValue(generatedColumn - outGeneratedColumn) +
        encodeValue(newSource - outSource) +
        encodeValue(line - outLine) +
        encodeValue(column - outColumn);
      outGeneratedColumn = generatedColumn;
      outSource = newSource;
      outLine = line;
      outColumn = column;
      if (fields.length >= 5) {
        let newName = nameIndex.get(name);
        if (newName === undefined) {
          newName = names.length;
          nameIndex.set(name, newName);
          names.push(map.names[name]!);
        }
        encoded += encodeValue(newName - outName);
        outName = newName;
      }
      kept.push(encoded);
    }
    return kept.join(',');
  });
  return { ...map, sources, names, mappings: lines.join(';'), ...(map.sourcesContent ? { sourcesContent } : {}) };
}
