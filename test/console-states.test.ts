import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECORDING_STATES as STORED } from '../src/db/recordings.repo.ts';
import { RECORDING_STATES as SHOWN } from '../web/src/pages/model.ts';
import { fr } from '../web/src/i18n/fr.ts';
import { en } from '../web/src/i18n/en.ts';

test('the recordings page knows every state the store can hold (failed included), no more', () => {
  assert.deepEqual([...SHOWN].sort(), [...STORED].sort());
});

test('every recording state has a label in French and in English', () => {
  for (const s of STORED) {
    const key = `state.${s}`;
    assert.ok(key in fr, `fr.ts lacks ${key}`);
    assert.ok(key in en, `en.ts lacks ${key}`);
  }
});
