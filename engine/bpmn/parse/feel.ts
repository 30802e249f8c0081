import { parseExpression } from 'feelin';

/**
 * Why a FEEL expression does not parse, or null when it does. Only syntax is checked at deploy:
 * variables are unknown until an instance runs. feelin's parser never throws; it marks what it
 * could not read with error nodes in the tree, so the first error node is the problem to report.
 */
export function feelSyntaxProblem(expression: string): string | null {
  if (expression.trim() === '') return 'the expression is empty';

  const tree = parseExpression(expression, {}, undefined);
  let problem: string | null = null;
  tree.iterate({
    enter(node) {
      if (problem !== null) return false;
      if (!node.type.isError) return undefined;
      problem = describeErrorAt(expression, node.from, node.to);
      return false;
    },
  });
  return problem;
}

function describeErrorAt(expression: string, from: number, to: number): string {
  if (from >= expression.trimEnd().length) return 'the expression ends too early';
  const found = expression.slice(from, Math.max(to, from + 1));
  return `unexpected "${found}" at position ${from + 1}`;
}

/** Camunda 8 writes expressions as `=amount > 100`; the stored form drops the marker. */
export function stripFeelMarker(text: string): string {
  return text.startsWith('=') ? text.slice(1).trim() : text;
}
