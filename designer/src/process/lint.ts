/**
 * The bpmnlint rules that matter for running a diagram on the engine, bundled with a hand-written
 * resolver (bpmn-js-bpmnlint takes `{ config, resolver }`, the shape bpmnlint-pack-config emits),
 * so no lint configuration is read at run time.
 */
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import startEventRequired from 'bpmnlint/rules/start-event-required';

const RULES: Record<string, unknown> = {
  'no-disconnected': noDisconnected,
  'start-event-required': startEventRequired,
  'end-event-required': endEventRequired,
  'no-implicit-split': noImplicitSplit,
  'conditional-flows': conditionalFlows,
  'no-gateway-join-fork': noGatewayJoinFork,
};

export const lintRuleNames = Object.keys(RULES);

export const bpmnlintConfig = {
  config: { rules: Object.fromEntries(lintRuleNames.map((name) => [name, 'error'])) },
  resolver: {
    resolveRule(pkg: string, ruleName: string) {
      const rule = pkg === 'bpmnlint' ? RULES[ruleName] : undefined;
      if (!rule) throw new Error(`lint rule ${pkg}/${ruleName} is not bundled with the designer`);
      return rule;
    },
    resolveConfig(pkg: string, name: string) {
      throw new Error(`lint config ${pkg}/${name} is not bundled with the designer`);
    },
  },
};

export interface LintIssue {
  id: string;
  message: string;
  category: string;
  rule: string;
}

/** Flattens bpmnlint's `{ rule: [report] }` result. */
export function lintIssues(results: Record<string, { id?: string; message: string; category: string }[]>): LintIssue[] {
  return Object.entries(results).flatMap(([rule, reports]) =>
    reports.map((r) => ({ id: r.id ?? '', message: r.message, category: r.category, rule })),
  );
}
