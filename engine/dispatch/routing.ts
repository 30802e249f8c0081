/**
 * Routing by case type (R10): ordered rules with a FEEL condition over the case data, each naming
 * the team or department the case goes to, optionally a regional team per customer region. The
 * shipped rules are data (`definitions/routing/rules.json`); a definitions folder may override
 * the file. `routeCase` is pure.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { type RoutingRules, routingRulesSchema } from '../../schemas/dispatch.ts';
import { feelSyntaxProblem } from '../bpmn/parse/feel.ts';
import { type ErrorDetail, LoopdeskError } from '../core/errors.ts';
import { FeelError, evaluateCondition, evaluateFeel } from '../core/feel.ts';

export type { RoutingRule, RoutingRules } from '../../schemas/dispatch.ts';

export interface Route {
  /** The team or department; null when no rule matches. */
  group: string | null;
  rule: { index: number; name: string | null; when: string } | null;
  /** The customer's region as the rules read it, or null. */
  region: string | null;
  /** The rule's regional team was taken instead of its default group. */
  regional: boolean;
}

export const SHIPPED_ROUTING_RULES = fileURLToPath(new URL('../../definitions/routing/rules.json', import.meta.url));

let validateSchema: ValidateFunction | undefined;

/** Checks a rules document: its shape, and that every `when` and `region` is FEEL that parses. Throws 422 LD_ROUTING_RULES_INVALID. */
export function checkRoutingRules(input: unknown): RoutingRules {
  validateSchema ??= new Ajv({ allErrors: true, strict: false }).compile(routingRulesSchema);
  const errors: ErrorDetail[] = [];
  if (!validateSchema(input)) {
    for (const e of validateSchema.errors ?? []) errors.push({ path: e.instancePath || '/', message: e.message ?? 'invalid' });
  } else {
    const rules = input as RoutingRules;
    const region = feelSyntaxProblem(rules.region ?? 'region');
    if (region) errors.push({ path: '/region', message: region });
    rules.rules.forEach((r, i) => {
      const problem = feelSyntaxProblem(r.when);
      if (problem) errors.push({ path: `/rules/${i}/when`, message: problem });
    });
  }
  if (errors.length) throw new LoopdeskError('LD_ROUTING_RULES_INVALID', 422, 'the routing rules are invalid', errors);
  return input as RoutingRules;
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * Where a case goes: the first rule whose `when` is exactly true for the case data, its regional
 * team when the case's region has one, else its group. A rule whose condition cannot be evaluated
 * for this data (a FEEL runtime error) is skipped rather than failing the intake.
 */
export function routeCase(rules: RoutingRules, data: Record<string, unknown>): Route {
  let region: string | null = null;
  try {
    region = text(evaluateFeel(rules.region ?? 'region', data));
  } catch (err) {
    if (!(err instanceof FeelError)) throw err;
  }
  for (const [index, rule] of rules.rules.entries()) {
    let matched = false;
    try {
      matched = evaluateCondition(rule.when, data);
    } catch (err) {
      if (!(err instanceof FeelError)) throw err;
    }
    if (!matched) continue;
    const regionalGroup = region !== null && rule.regionGroups ? rule.regionGroups[region] : undefined;
    return {
      group: regionalGroup ?? rule.group,
      rule: { index, name: rule.name ?? null, when: rule.when },
      region,
      regional: regionalGroup !== undefined,
    };
  }
  return { group: null, rule: null, region, regional: false };
}

const cache = new Map<string, { mtimeMs: number; rules: RoutingRules }>();

/** Reads and checks a rules file, re-reading it only when it changed on disk. */
export function readRoutingRules(file: string): RoutingRules {
  const mtimeMs = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.rules;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LoopdeskError('LD_ROUTING_RULES_INVALID', 422, `${file}: ${(err as Error).message}`);
  }
  const rules = checkRoutingRules(parsed);
  cache.set(file, { mtimeMs, rules });
  return rules;
}

/**
 * `<definitionsDir>/routing/rules.json` when it exists, else the shipped file. Without a folder,
 * LOOPDESK_DEFINITIONS (or ./definitions) from the environment, as the server's config reads it.
 */
export function loadRoutingRules(definitionsDir = resolve(process.env.LOOPDESK_DEFINITIONS ?? 'definitions')): RoutingRules {
  const own = join(definitionsDir, 'routing', 'rules.json');
  return readRoutingRules(existsSync(own) ? own : SHIPPED_ROUTING_RULES);
}
