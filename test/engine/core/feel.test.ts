/**
 * FEEL evaluation with the result memo (engine/core/feel.ts): memoised answers must always equal
 * what feelin computes afresh, whatever the variables, and the memo must stand aside where the
 * answer is not a function of the named variables (clock functions, names with spaces).
 */
import fc from 'fast-check';
import { evaluate } from 'feelin';
import { describe, expect, it, vi } from 'vitest';
import { evaluateCondition, evaluateFeel } from '../../../engine/core/feel.ts';

const fresh = (expression: string, variables: Record<string, unknown>) => evaluate(expression, variables).value;

describe('FEEL evaluation', () => {
  it('R0c: a condition follows its variables from one call to the next', () => {
    expect(evaluateCondition('=urgency = "high"', { urgency: 'high' })).toBe(true);
    expect(evaluateCondition('=urgency = "high"', { urgency: 'normal' })).toBe(false);
    expect(evaluateCondition('=urgency = "high"', {})).toBe(false);
    expect(evaluateCondition('=urgency = "high"', { urgency: 'high', other: 1 })).toBe(true);
    expect(evaluateCondition('=score < 3', { score: 2 })).toBe(true);
    expect(evaluateCondition('=score < 3', { score: 5 })).toBe(false);
    expect(evaluateFeel('=handling.resolved', { handling: { resolved: true } })).toBe(true);
    expect(evaluateFeel('=handling.resolved', { handling: { resolved: false } })).toBe(false);
  });

  it('R0c: memoised results equal fresh evaluations over random variables', () => {
    const expressions = [
      'score < 3',
      'urgency = "high" and score >= 2',
      'handling.resolved = true or count(items) > 2',
      'if score = null then "none" else string(score)',
      'sum(for i in items return i) + score',
    ];
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 6 }), fc.constantFrom('high', 'normal', '2'), fc.boolean());
    const variables = fc.record(
      {
        score: value,
        urgency: value,
        handling: fc.record({ resolved: value }, { requiredKeys: [], noNullPrototype: true }),
        items: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
      },
      { requiredKeys: [], noNullPrototype: true },
    );
    fc.assert(
      fc.property(fc.constantFrom(...expressions), variables, (expression, vars) => {
        // Twice: the second call is answered from the memo when the first was memoisable.
        const expected = fresh(expression, vars);
        expect(evaluateFeel(`=${expression}`, vars)).toEqual(expected);
        expect(evaluateFeel(`=${expression}`, vars)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('R0c: the clock functions are evaluated every time', () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date('2026-05-01T12:00:00Z'));
      expect(evaluateFeel('=string(today()) = day', { day: '2026-05-01' })).toBe(true);
      vi.setSystemTime(new Date('2026-05-02T12:00:00Z'));
      expect(evaluateFeel('=string(today()) = day', { day: '2026-05-01' })).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('R0c: names with spaces parse with the variables they belong to', () => {
    expect(evaluateFeel('=order total > 100', { 'order total': 150 })).toBe(true);
    expect(evaluateFeel('=order total > 100', { 'order total': 50 })).toBe(false);
    expect(evaluateFeel('=a.b c', { a: { 'b c': 7 } })).toBe(7);
    expect(evaluateFeel('=a.b c', { a: { 'b c': 8 } })).toBe(8);
  });
});
