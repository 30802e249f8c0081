import type { FastifyInstance } from 'fastify';
import { DateTime, Duration } from 'luxon';
import { auditQuery, clockBody, clockResponse, errorResponses } from '../../../schemas/api.ts';
import { ManualClock } from '../../core/clock.ts';
import { LoopdeskError } from '../../core/errors.ts';
import { advanceManualClock } from '../../jobs/advanceClock.ts';
import { listAudit, verifyAuditChain } from '../../store/audit.ts';
import { type RouteDeps, typed } from '../types.ts';

export async function adminRoutes(app: FastifyInstance, { ctx, runner }: RouteDeps) {
  const r = typed(app);

  r.post(
    '/api/admin/clock',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['admin'],
        description: 'Moves engine time (only with LOOPDESK_CLOCK=manual) and fires every timer that fell due before answering.',
        body: clockBody,
        response: { 200: clockResponse, ...errorResponses },
      },
    },
    async (req) => {
      const clock = ctx.clock;
      if (!(clock instanceof ManualClock)) throw new LoopdeskError('LD_CLOCK_NOT_MANUAL', 409, 'the clock is the system clock; start with LOOPDESK_CLOCK=manual');
      let target = clock.now();
      if (req.body.advance) {
        const d = Duration.fromISO(req.body.advance);
        if (!d.isValid) {
          throw new LoopdeskError('LD_VALIDATION', 400, 'advance must be an ISO 8601 duration', [
            { path: '/body/advance', message: d.invalidExplanation ?? 'invalid' },
          ]);
        }
        target = DateTime.fromMillis(clock.now(), { zone: 'utc' }).plus(d).toMillis();
      } else if (req.body.now) {
        target = DateTime.fromISO(req.body.now, { setZone: true }).toMillis();
        if (target < clock.now()) {
          throw new LoopdeskError('LD_VALIDATION', 400, 'the clock cannot move backwards', [
            { path: '/body/now', message: 'earlier than the current engine time' },
          ]);
        }
      }
      const firedJobs = await advanceManualClock(ctx, clock, runner, target);
      return { now: new Date(clock.now()).toISOString(), firedJobs };
    },
  );

  r.get(
    '/api/audit/verify',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        tags: ['admin'],
        description: 'Recomputes the audit hash chains (per entity) and reports any row that was changed or removed.',
        querystring: { type: 'object', additionalProperties: false, properties: { entityType: { type: 'string' }, entityId: { type: 'string' } } },
      },
    },
    async (req) => {
      const chains = await verifyAuditChain(ctx.db, req.query);
      return { ok: chains.every((c) => c.ok), chains: chains.length, rows: chains.reduce((n, c) => n + c.rows, 0), broken: chains.filter((c) => !c.ok) };
    },
  );

  r.get(
    '/api/audit',
    { config: { access: ['supervisor', 'admin'] }, schema: { tags: ['admin'], querystring: auditQuery } },
    async (req) => listAudit(ctx.db, { ...req.query, limit: req.query.limit ?? 100 }),
  );
}
