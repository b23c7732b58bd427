import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ibanValid, luhnValid, redactPersonalData, scanPersonalData } from './comment.scanner.ts';

const kinds = (t: string): string[] => scanPersonalData(t).map((f) => f.kind);

describe('comment scanner', () => {
  it('R-MIN-1: finds French phone numbers in their usual spellings', () => {
    for (const t of [
      'rappeler au 06 12 34 56 78',
      'tel 0612345678.',
      '+33 6 12 34 56 78',
      '0033612345678',
      '01.23.45.67.89',
    ])
      assert.deepEqual(kinds(t), ['phone'], t);
  });
  it('R-MIN-1: finds E.164 numbers of other countries', () => {
    assert.deepEqual(kinds('call +44 20 7946 0958 back'), ['phone']);
    assert.deepEqual(kinds('+14155552671'), ['phone']);
  });
  it('R-MIN-1: finds card numbers that pass Luhn and ignores those that do not', () => {
    assert.deepEqual(kinds('carte 4970 1012 3456 7893 lue'), ['card']);
    assert.equal(luhnValid('4970101234567893'), true);
    assert.deepEqual(kinds('ref 4970 1012 3456 7894'), []);
    assert.deepEqual(kinds('5555-5555-5555-4444'), ['card']);
  });
  it('R-MIN-1: finds e-mail addresses', () => {
    assert.deepEqual(kinds('écrire à jean.dupont+x@exemple.fr svp'), ['email']);
  });
  it('R-MIN-1: finds IBANs with a valid mod-97 check only', () => {
    assert.equal(ibanValid('FR76 3000 6000 0112 3456 7890 189'), true);
    assert.deepEqual(kinds('IBAN FR76 3000 6000 0112 3456 7890 189 donné'), ['iban']);
    assert.deepEqual(kinds('IBAN FR76 3000 6000 0112 3456 7890 188'), []);
  });
  it('R-MIN-1: professional comments with scores, times and durations are clean', () => {
    assert.deepEqual(
      kinds('Bonne écoute, reformulation à 02:13, 3 relances, note 8/10, appel de 12 min, dossier 2026-11.'),
      [],
    );
  });
  it('R-MIN-1: findings carry kind and offsets only, and redaction never keeps the value', () => {
    const t = 'mail a@b.fr et 06 12 34 56 78';
    const f = scanPersonalData(t);
    assert.deepEqual(f, [
      { kind: 'email', start: 5, end: 11 },
      { kind: 'phone', start: 15, end: 29 },
    ]);
    assert.equal(JSON.stringify(f).includes('a@b.fr'), false);
    assert.equal(redactPersonalData(t).text, 'mail [email] et [phone]');
  });
});
