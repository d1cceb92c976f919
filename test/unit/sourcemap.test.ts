import { SourceMap } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { decodeSegment, encodeValue, keepSources, type RawSourceMap } from '../../scripts/sourcemap';

describe('source map trimming', () => {
  it.each([0, 1, -1, 15, -16, 16, 1023, -1024, 123_456_789])('round-trips %i through base64 VLQ', (value) => {
    expect(decodeSegment(encodeValue(value))).toEqual([value]);
  });

  it('rejects a character outside base64', () => {
    expect(() => decodeSegment('A!')).toThrow('invalid base64 VLQ character "!"');
  });

  it('keeps every mapping into the project sources as the full map has it and leaves node_modules code unmapped', async () => {
    const result = await build({
      entryPoints: [path.join(__dirname, '..', '..', 'functions', 'message.ts')],
      outfile: path.join(__dirname, 'out', 'index.js'),
      bundle: true,
      platform: 'node',
      mainFields: ['module', 'main'],
      minify: true,
      sourcemap: 'external',
      sourcesContent: false,
      write: false,
      logLevel: 'silent',
    });
    const full = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map'))!.text) as RawSourceMap;
    const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const trimmed = keepSources(full, (source) => !source.includes('node_modules/'));

    expect(trimmed.sources.length).toBeGreaterThan(5);
    expect(trimmed.sources.every((s) => !s.includes('node_modules/'))).toBe(true);
    expect(full.sources.some((s) => s.includes('node_modules/'))).toBe(true);

    const fullMap = new SourceMap(full as never);
    const trimmedMap = new SourceMap(trimmed as never);
    const lines = code.split('\n');
    let compared = 0;
    let dropped = 0;
    for (let line = 0; line < lines.length; line += 1) {
      for (let column = 0; column < lines[line]!.length; column += 97) {
        const expected = fullMap.findEntry(line, column) as { originalSource?: string };
        if (!expected.originalSource) continue;
        if (expected.originalSource.includes('node_modules/')) {
          expect((trimmedMap.findEntry(line, column) as { originalSource?: string }).originalSource).toBeUndefined();
          dropped += 1;
        } else {
          expect(trimmedMap.findEntry(line, column)).toEqual(expected);
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
    expect(dropped).toBeGreaterThan(500);
  });
});
