import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEcouteError } from '../errors.ts';
import { checkAnswers, parseGrid, scoreEvaluation } from './grid.ts';

const grid = (criticalFailure: 'zero' | 'flag') =>
  parseGrid({
    name: 'G',
    criticalFailure,
    sections: [
      {
        id: 'a',
        criteria: [
          { id: 'x', kind: 'scale', max: 4, weight: 3 },
          { id: 'y', kind: 'yes_no' },
        ],
      },
      { id: 'b', criteria: [{ id: 'z', kind: 'yes_no', critical: true, allowNa: false }] },
    ],
  });

describe('grid scoring', () => {
  it('weights fractions and excludes NA from numerator and denominator', () => {
    const s = scoreEvaluation(grid('zero'), { x: 2, y: 'na', z: 'yes' });
    assert.equal(s.total, 62.5); // (0.5·3 + 1·1) / 4
    assert.deepEqual(s.sections, [
      { id: 'a', score: 50 },
      { id: 'b', score: 100 },
    ]);
  });
  it('a failed critical criterion zeroes the total, or only flags it, as the grid says', () => {
    assert.deepEqual(
      [
        scoreEvaluation(grid('zero'), { x: 4, y: 'yes', z: 'no' }).total,
        scoreEvaluation(grid('zero'), { x: 4, y: 'yes', z: 'no' }).flagged,
      ],
      [0, true],
    );
    const f = scoreEvaluation(grid('flag'), { x: 4, y: 'yes', z: 'no' });
    assert.deepEqual([f.total, f.flagged, f.criticalFailed], [80, true, ['z']]);
  });
  it('all NA gives no total rather than 0 or 100', () => {
    const g = parseGrid({ name: 'N', sections: [{ id: 's', criteria: [{ id: 'q', kind: 'yes_no' }] }] });
    assert.equal(scoreEvaluation(g, { q: 'na' }).total, null);
  });
  it('refuses answers out of scale, NA where not allowed, unknown or missing criteria, and bad grids', () => {
    const g = grid('zero');
    for (const a of [
      { x: 5, y: 'yes', z: 'yes' },
      { x: 1, y: 'yes', z: 'na' },
      { x: 1, y: 'yes' },
      { x: 1, y: 'yes', z: 'yes', w: 1 },
    ])
      assert.throws(
        () => checkAnswers(g, a as never),
        (e) => isEcouteError(e) && e.code === 'ECOUTE_EVALUATION_ANSWERS_INVALID',
      );
    for (const bad of [
      { name: 'x', sections: [] },
      { name: 'x', sections: [{ id: 's', criteria: [{ id: 'c', kind: 'scale', max: 0 }] }] },
    ])
      assert.throws(
        () => parseGrid(bad),
        (e) => isEcouteError(e) && e.code === 'ECOUTE_EVALUATION_GRID_INVALID',
      );
  });
});
