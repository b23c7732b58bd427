import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../clock.ts';
import { addMonths, checkExtension, dueDate, maxExtendedDate } from './deadlines.ts';

const at = (iso: string) => new Date(iso).getTime();

test('R-DSR-3: due one month after receipt, month ends clamped', () => {
  assert.equal(dueDate(at('2026-01-15T10:00:00Z')), at('2026-02-15T10:00:00Z'));
  assert.equal(dueDate(at('2026-01-31T10:00:00Z')), at('2026-02-28T10:00:00Z'));
  assert.equal(addMonths(at('2026-12-31T00:00:00Z'), 2), at('2027-02-28T00:00:00Z'));
  assert.equal(maxExtendedDate(at('2026-01-15T10:00:00Z')), at('2026-04-15T10:00:00Z'));
});

test('R-DSR-3: an extension needs a reason and a notice within the first month, once', () => {
  const receivedAt = at('2026-03-01T00:00:00Z');
  const dueAt = dueDate(receivedAt);
  const base = {
    receivedAt,
    dueAt,
    alreadyExtended: false,
    reason: 'Volume exceptionnel de demandes',
    now: receivedAt + 5 * DAY_MS,
  };
  assert.deepEqual(checkExtension({ ...base, noticeSentAt: receivedAt + 4 * DAY_MS }), {
    ok: true,
    until: at('2026-06-01T00:00:00Z'),
  });
  assert.equal(checkExtension({ ...base, noticeSentAt: undefined }).ok, false);
  assert.equal(checkExtension({ ...base, reason: ' ', noticeSentAt: receivedAt }).ok, false);
  assert.equal(
    checkExtension({ ...base, noticeSentAt: dueAt + DAY_MS }).ok,
    false,
    'notice after the first month',
  );
  assert.equal(
    checkExtension({ ...base, now: dueAt + 1, noticeSentAt: receivedAt }).ok,
    false,
    'too late to extend',
  );
  assert.equal(checkExtension({ ...base, alreadyExtended: true, noticeSentAt: receivedAt }).ok, false);
});
