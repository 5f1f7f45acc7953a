import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorCorrelation, median, pearson, ratio, samplingCeiling } from '../../src/validation/stats.ts';

// The report's arithmetic on values worked out by hand; the figures on real data are in analyzer.test.ts.

test('ratio keeps what it was computed from, rounds to 4 decimals, and is null over nothing', () => {
  assert.deepEqual(ratio(1, 3), { numerator: 1, denominator: 3, value: 0.3333 });
  assert.deepEqual(ratio(0, 0), { numerator: 0, denominator: 0, value: null });
});

test('pearson: ±1 on lines, 0.8 on a hand example, null with under 3 pairs or no variance', () => {
  assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
  assert.equal(pearson([1, 2, 3], [3, 2, 1]), -1);
  // Deviations (−1.5, −0.5, 0.5, 1.5) and (−1.5, 0.5, −0.5, 1.5): Σxy = 4, Σxx = Σyy = 5.
  assert.equal(pearson([1, 2, 3, 4], [1, 3, 2, 4]), 0.8);
  assert.equal(pearson([1, 2], [1, 2]), null);
  assert.equal(pearson([1, 2, 3], [5, 5, 5]), null);
});

test('samplingCeiling: √(var p / (var p + mean p(1 − p)/n)), null with under 3 cells or constant p', () => {
  // var p = 1/6, mean noise = (0 + 0.25 + 0) / 3 = 1/12: √(2/3).
  assert.equal(samplingCeiling([0, 0.5, 1], [1, 1, 1]), 0.8165);
  // Many spans per cell: the sampled share is the probability, nothing caps r.
  assert.equal(samplingCeiling([0, 0.5, 1], [1e9, 1e9, 1e9]), 1);
  assert.equal(samplingCeiling([0.1, 0.2], [1, 1]), null);
  assert.equal(samplingCeiling([0.25, 0.25, 0.25], [1, 1, 1]), null);
});

test('errorCorrelation puts r, its ceiling and the cell count together', () => {
  assert.deepEqual(errorCorrelation([0, 0.5, 1], [0, 0.5, 1], [1, 1, 1], 'a cell'), { r: 1, ceiling: 0.8165, cells: 3, cell: 'a cell' });
});

test('median of odd and even counts, NaN for none, and the input left unsorted', () => {
  const values = Float64Array.from([4, 1, 3, 2]);
  assert.equal(median(values), 2.5);
  assert.deepEqual([...values], [4, 1, 3, 2]);
  assert.equal(median(Float64Array.from([3, 1, 2])), 2);
  assert.ok(Number.isNaN(median(new Float64Array(0))));
});
