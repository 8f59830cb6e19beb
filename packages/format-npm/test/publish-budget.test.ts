import { isDepotError } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { byteBudget } from '../src/slots.js';

const MiB = 1024 * 1024;
const refused = (take: () => unknown): string | undefined => {
  try {
    take();
    return undefined;
  } catch (err) {
    return isDepotError(err) ? err.code : 'other';
  }
};

describe('publish byte budget', () => {
  it('lets many small publishes run at once and refuses a large one that does not fit', () => {
    const budget = byteBudget(96 * MiB);
    const frees = Array.from({ length: 50 }, () => budget.take(20 * 1024));
    const big = budget.take(40 * MiB);
    const second = budget.take(40 * MiB);
    expect(refused(() => budget.take(40 * MiB))).toBe('RATE_LIMITED');
    second();
    second(); // giving back twice frees once
    expect(refused(() => budget.take(40 * MiB))).toBeUndefined();
    expect(refused(() => budget.take(40 * MiB))).toBe('RATE_LIMITED');
    big();
    for (const free of frees) free();
  });

  it('never refuses a publish when nothing is in flight, whatever its size', () => {
    const budget = byteBudget(96 * MiB);
    const free = budget.take(500 * MiB);
    expect(refused(() => budget.take(1))).toBe('RATE_LIMITED');
    free();
    expect(refused(() => budget.take(1))).toBeUndefined();
  });
});
