/**
 * FEEL, Camunda 8 style: an expression is written `=urgency = "high"`; a value without the leading
 * `=` is a literal string. feelin evaluates in-process without access to the host (no eval, no I/O).
 */
import { evaluate } from 'feelin';

export class FeelError extends Error {
  override readonly name = 'FeelError';
}

export function isExpression(value: string): boolean {
  return value.trimStart().startsWith('=');
}

function stripEquals(expression: string): string {
  const t = expression.trimStart();
  return t.startsWith('=') ? t.slice(1) : t;
}

/** Evaluates a FEEL expression (with or without the leading `=`) against the variables. */
export function evaluateFeel(expression: string, variables: Record<string, unknown>): unknown {
  let result: { value: unknown; warnings: { message: string }[] };
  try {
    result = evaluate(stripEquals(expression), variables) as typeof result;
  } catch (err) {
    throw new FeelError(`FEEL expression "${expression}" failed: ${(err as Error).message}`);
  }
  return result.value;
}

/** A condition is taken only when it evaluates to exactly `true`; null (unknown variable) is false. */
export function evaluateCondition(expression: string, variables: Record<string, unknown>): boolean {
  return evaluateFeel(expression, variables) === true;
}

/** A value that may be a literal or an `=`-expression (assignee, candidate groups, timer bodies). */
export function resolveValue(value: string, variables: Record<string, unknown>): unknown {
  return isExpression(value) ? evaluateFeel(value, variables) : value;
}
