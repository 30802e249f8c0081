/**
 * FEEL, Camunda 8 style: an expression is written `=urgency = "high"`; a value without the leading
 * `=` is a literal string. feelin evaluates in-process without access to the host (no eval, no I/O).
 */
import { evaluate, parseExpression } from 'feelin';

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
  const source = stripEquals(expression);
  const key = memoKey(source, variables);
  if (key !== undefined && results.has(key)) return results.get(key);
  let result: { value: unknown; warnings: { message: string }[] };
  try {
    result = evaluate(source, variables) as typeof result;
  } catch (err) {
    throw new FeelError(`FEEL expression "${expression}" failed: ${(err as Error).message}`);
  }
  if (key !== undefined && isPrimitive(result.value)) {
    if (results.size >= MAX_RESULTS) results.clear();
    results.set(key, result.value);
  }
  return result.value;
}

/*
 * Result memo. feelin parses the expression on every call (its parse is context-sensitive, so it
 * keeps no cache, and its interpreter is not exported); on the engine's hot path the same gateway
 * conditions run against the same few values again and again, and parsing is most of the cost.
 * FEEL is side-effect free, so the value of an expression is a function of the variables it names
 * — with two caveats that switch the memo off: clock functions (now(), today()), and names that
 * are not plain identifiers (FEEL names may hold spaces and operators, and then the variables
 * change how the expression parses). Only primitive results are kept: nobody can mutate them.
 */
const MAX_RESULTS = 10_000;
const results = new Map<string, unknown>();

interface Shape {
  /** Every name the expression reads (a superset: function names and loop variables too). */
  names: string[];
}
/** null: not memoisable (syntax errors, clock functions). */
const shapes = new Map<string, Shape | null>();
const CLOCK_FUNCTIONS = new Set(['now', 'today']);

function shapeOf(source: string): Shape | null {
  let shape = shapes.get(source);
  if (shape !== undefined) return shape;
  const names = new Set<string>();
  let memoisable = true;
  parseExpression(source, {}, undefined).iterate({
    enter(node) {
      if (node.type.isError) memoisable = false;
      if (node.name === 'VariableName') {
        const name = source.slice(node.from, node.to);
        if (CLOCK_FUNCTIONS.has(name)) memoisable = false;
        names.add(name);
      }
    },
  });
  shape = memoisable ? { names: [...names] } : null;
  if (shapes.size >= MAX_RESULTS) shapes.clear();
  shapes.set(source, shape);
  return shape;
}

const PLAIN_NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
const plainNames = new Set<string>();
function isPlainName(name: string): boolean {
  if (plainNames.has(name)) return true;
  if (!PLAIN_NAME.test(name)) return false;
  if (plainNames.size < MAX_RESULTS) plainNames.add(name);
  return true;
}

/** The memo key of an evaluation, or undefined when its result must not be memoised. */
function memoKey(source: string, variables: Record<string, unknown>): string | undefined {
  const shape = shapeOf(source);
  if (shape === null) return undefined;
  for (const name in variables) if (!isPlainName(name)) return undefined;
  let plain = true;
  const inputs = JSON.stringify(
    shape.names.map((name) => variables[name]),
    (name, value) => {
      if (name !== '' && Number.isNaN(Number(name)) && !isPlainName(name)) plain = false;
      // A missing variable and null are both null in FEEL, yet keep them apart to be safe.
      return value === undefined ? '\u0000undefined' : value;
    },
  );
  return plain ? `${source}\u0001${inputs}` : undefined;
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A condition is taken only when it evaluates to exactly `true`; null (unknown variable) is false. */
export function evaluateCondition(expression: string, variables: Record<string, unknown>): boolean {
  return evaluateFeel(expression, variables) === true;
}

/** A value that may be a literal or an `=`-expression (assignee, candidate groups, timer bodies). */
export function resolveValue(value: string, variables: Record<string, unknown>): unknown {
  return isExpression(value) ? evaluateFeel(value, variables) : value;
}
