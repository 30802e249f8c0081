/**
 * The assignment strategies as pure functions: who gets a new task by skill, region and load,
 * who never does (absent, outside working hours), and the group queue when nobody fits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Candidate, type Choice, URGENCY_WEIGHT, chooseAssignee } from '../../../engine/dispatch/strategies.ts';

const agent = (username: string, over: Partial<Candidate> = {}): Candidate => ({
  username,
  skills: [],
  location: null,
  absent: false,
  available: true,
  openLoad: 0,
  lastAssignedAt: null,
  ...over,
});

const assignee = (c: Choice) => ('assignee' in c ? c.assignee : null);

describe('assignment strategies', () => {
  it('R11: skills picks an agent who has ALL the requested skills', () => {
    const team = [
      agent('li', { skills: ['空调维修'], openLoad: 0 }),
      agent('wang', { skills: ['空调维修', 'English'], openLoad: 4 }),
      agent('zhao', { skills: ['English'], openLoad: 0 }),
    ];
    const c = chooseAssignee('skills', { skills: ['空调维修', 'English'] }, team);
    expect(assignee(c)).toBe('wang');
    expect(c.reason).toContain('空调维修');
  });

  it('R11: skills compares tags trimmed and case-insensitively', () => {
    const c = chooseAssignee('skills', { skills: [' english '] }, [agent('a', { skills: ['English'] })]);
    expect(assignee(c)).toBe('a');
  });

  it("R11: skills prefers agents in the customer's region, then the least loaded", () => {
    const team = [
      agent('sh-busy', { skills: ['空调维修'], location: '华东', openLoad: 5 }),
      agent('sh-free', { skills: ['空调维修'], location: '华东', openLoad: 2 }),
      agent('gz-idle', { skills: ['空调维修'], location: '华南', openLoad: 0 }),
    ];
    expect(assignee(chooseAssignee('skills', { skills: ['空调维修'], location: '华东' }, team))).toBe('sh-free');
    // Nobody in the region: the least loaded of those with the skills, wherever they are.
    expect(assignee(chooseAssignee('skills', { skills: ['空调维修'], location: '西北' }, team))).toBe('gz-idle');
  });

  it('R11: least-loaded picks the lowest weighted load; the weights are urgent 3, normal 1, low 0.5', () => {
    expect(URGENCY_WEIGHT).toMatchObject({ urgent: 3, high: 3, normal: 1, low: 0.5 });
    // One urgent task (3) weighs more than two normal ones (2).
    const team = [agent('urgent-one', { openLoad: 3 }), agent('two-normal', { openLoad: 2 }), agent('four-low', { openLoad: 2.5 })];
    expect(assignee(chooseAssignee('least-loaded', {}, team))).toBe('two-normal');
  });

  it('R11: absent or unavailable agents are never chosen, even when they are the best fit', () => {
    const team = [
      agent('away', { skills: ['English'], openLoad: 0, absent: true }),
      agent('off-shift', { skills: ['English'], openLoad: 0, available: false }),
      agent('here', { skills: ['English'], openLoad: 9, lastAssignedAt: Date.now() }),
    ];
    for (const strategy of ['round-robin', 'least-loaded', 'skills']) {
      expect(assignee(chooseAssignee(strategy, { skills: ['English'] }, team)), strategy).toBe('here');
    }
    expect(chooseAssignee('explicit', { assignee: 'away' }, team)).toMatchObject({ fallback: 'group', code: 'explicit-unavailable' });
    expect(assignee(chooseAssignee('explicit', { assignee: 'here' }, team))).toBe('here');
  });

  it('R11: round-robin rotates: least recently assigned first, ties broken by username', () => {
    let team = [agent('c'), agent('a'), agent('b')];
    const order: string[] = [];
    for (let t = 1; t <= 6; t++) {
      const who = assignee(chooseAssignee('round-robin', {}, team))!;
      order.push(who);
      team = team.map((c) => (c.username === who ? { ...c, lastAssignedAt: t } : c));
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('R11: equal loads rotate too, so ties do not always land on the same agent', () => {
    const team = [agent('a', { openLoad: 1, lastAssignedAt: 200 }), agent('b', { openLoad: 1, lastAssignedAt: 100 })];
    expect(assignee(chooseAssignee('least-loaded', {}, team))).toBe('b');
  });

  it('R11: a strategy that finds nobody falls back to the group queue with a reason', () => {
    const away = [agent('x', { absent: true }), agent('y', { available: false })];
    expect(chooseAssignee('least-loaded', {}, away)).toMatchObject({ fallback: 'group', code: 'nobody-available' });
    expect(chooseAssignee('least-loaded', {}, away).reason).toMatch(/1 absent, 1 outside working hours/);
    expect(chooseAssignee('round-robin', {}, [])).toMatchObject({ fallback: 'group', code: 'no-members' });
    const noSkill = chooseAssignee('skills', { skills: ['日语'] }, [agent('x', { skills: ['English'] })]);
    expect(noSkill).toMatchObject({ fallback: 'group', code: 'no-skill-match' });
    expect(noSkill.reason).toContain('日语');
    expect(chooseAssignee('explicit', { assignee: 'ghost' }, [])).toMatchObject({ fallback: 'group', code: 'explicit-missing' });
    expect(chooseAssignee('group', {}, [agent('x')])).toMatchObject({ fallback: 'group', code: 'queue' });
    expect(chooseAssignee('by-horoscope', {}, [agent('x')])).toMatchObject({ fallback: 'group', code: 'unknown-strategy' });
  });

  it('R11: whatever the team looks like, the choice is an available member and least-loaded takes a minimal load', () => {
    const candidate = fc.record({
      skills: fc.subarray(['空调维修', 'English', '冰箱', '洗衣机']),
      location: fc.constantFrom(null, '华东', '华南'),
      absent: fc.boolean(),
      available: fc.boolean(),
      openLoad: fc.integer({ min: 0, max: 40 }).map((n) => n / 2),
      lastAssignedAt: fc.option(fc.integer({ min: 0, max: 1000 })),
    });
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 12 }),
        fc.constantFrom('round-robin', 'least-loaded', 'skills'),
        fc.subarray(['空调维修', 'English']),
        fc.constantFrom(null, '华东'),
        (raw, strategy, skills, location) => {
          const team = raw.map((c, i) => ({ ...c, username: `u${i}` }));
          const choice = chooseAssignee(strategy, { skills, location }, team);
          const ready = team.filter((c) => !c.absent && c.available);
          if (!('assignee' in choice)) {
            expect(choice.reason.length).toBeGreaterThan(0);
            if (strategy !== 'skills') expect(ready).toEqual([]);
            return;
          }
          const chosen = team.find((c) => c.username === choice.assignee)!;
          expect(chosen.absent || !chosen.available).toBe(false);
          if (strategy === 'least-loaded') expect(chosen.openLoad).toBe(Math.min(...ready.map((c) => c.openLoad)));
          if (strategy === 'skills') for (const s of skills) expect(chosen.skills).toContain(s);
        },
      ),
      { numRuns: 500 },
    );
  });
});
