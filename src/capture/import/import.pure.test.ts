import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCsv } from './csv.ts';
import { readWav } from './wav.reader.ts';
import { encodeWav } from '../testing/wav.writer.ts';
import { isEcouteError } from '../../errors.ts';

test('CSV: quotes, doubled quotes, CRLF, BOM and semicolons', () => {
  const c = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n1,\n');
  assert.deepEqual(c.header, ['a', 'b']);
  assert.deepEqual(c.rows, [
    { a: 'x, y', b: 'say "hi"' },
    { a: '1', b: '' },
  ]);
  assert.deepEqual(parseCsv('a;b\n1;2').rows, [{ a: '1', b: '2' }]);
});

test('WAV reader: round trip of the writer, and typed errors on any garbage (fuzz)', () => {
  const planes = [Int16Array.from([1, -2, 300]), Int16Array.from([4, 5, -600])];
  assert.deepEqual(readWav(encodeWav(planes)).planes, planes);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, riff) => {
      const data = riff ? Uint8Array.from([...Buffer.from('RIFF\0\0\0\0WAVE'), ...bytes]) : bytes;
      try {
        readWav(data);
      } catch (e) {
        assert.ok(isEcouteError(e), String(e));
      }
    }),
    { numRuns: 500 },
  );
});
