/**
 * The shipped routing rules (definitions/routing/rules.json) send each case type of the feedback
 * guide to its department or regional team (R10), and a broken rules file is refused with pointers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_ROUTING_RULES, checkRoutingRules, readRoutingRules, routeCase } from '../../../engine/dispatch/routing.ts';
import { LoopdeskError } from '../../../engine/core/errors.ts';

const rules = readRoutingRules(SHIPPED_ROUTING_RULES);

describe('routing rules', () => {
  it.each([
    ['complaint', 'aftersales-tech'],
    ['fault', 'aftersales-tech'],
    ['after-sales', 'aftersales-tech'],
    ['inquiry', 'service-center'],
    ['suggestion', 'product'],
    ['other', 'service-center'],
  ])('R10: a %s case goes to %s', (type, group) => {
    expect(routeCase(rules, { type, description: '空调使用3个月后制冷效果差' }).group).toBe(group);
  });

  it('R10: a complaint or fault from a region with its own service team goes to that team', () => {
    expect(routeCase(rules, { type: 'complaint', region: '华东' })).toMatchObject({ group: 'east-service-team', regional: true, region: '华东' });
    expect(routeCase(rules, { type: 'fault', region: '华南' }).group).toBe('south-service-team');
    // A region without a team keeps the department; other types ignore the region.
    expect(routeCase(rules, { type: 'fault', region: '西北' })).toMatchObject({ group: 'aftersales-tech', regional: false });
    expect(routeCase(rules, { type: 'inquiry', region: '华东' }).group).toBe('service-center');
  });

  it('R10: suggestions about marketing or the service process go to marketing, others to product', () => {
    expect(routeCase(rules, { type: 'suggestion', topic: 'marketing' }).group).toBe('marketing');
    expect(routeCase(rules, { type: 'suggestion', topic: 'product' }).group).toBe('product');
  });

  it('R10: a case without a type still lands somewhere (the service centre classifies it), and the rule is named', () => {
    const route = routeCase(rules, {});
    expect(route.group).toBe('service-center');
    expect(route.rule?.name).toBe('other');
  });

  it('R10: the first matching rule decides; no match gives no group', () => {
    const custom = checkRoutingRules({
      rules: [
        { name: 'vip', when: 'vip = true', group: 'vip-desk' },
        { when: 'type = "complaint"', group: 'aftersales-tech' },
      ],
    });
    expect(routeCase(custom, { type: 'complaint', vip: true }).group).toBe('vip-desk');
    expect(routeCase(custom, { type: 'complaint' }).rule).toMatchObject({ index: 1, name: null });
    expect(routeCase(custom, { type: 'inquiry' })).toMatchObject({ group: null, rule: null });
  });

  it('R10: a rules file with a bad shape or unparsable FEEL is refused with JSON pointers', () => {
    const shipped = JSON.parse(readFileSync(SHIPPED_ROUTING_RULES, 'utf8'));
    shipped.rules[1].when = 'type = (';
    delete shipped.rules[2].group;
    let error: unknown;
    try {
      checkRoutingRules(shipped);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LoopdeskError);
    expect((error as LoopdeskError).code).toBe('LD_ROUTING_RULES_INVALID');
    expect((error as LoopdeskError).errors?.map((e) => e.path)).toContain('/rules/2');
    expect(() => checkRoutingRules({ rules: [{ when: 'type = (', group: 'x' }] })).toThrow(LoopdeskError);
  });
});
