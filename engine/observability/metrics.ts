/**
 * Prometheus metrics (prom-client): what an operator watches — cases started and completed, task
 * completion latency, timer lag (fired minus due), job queue depth, SLA breaches, HTTP statuses.
 * One registry per process; counters are bumped by the use cases after their transaction commits.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'loopdesk_process_' });

export const casesStarted = new Counter({ name: 'loopdesk_cases_started_total', help: 'Instances started', labelNames: ['process'], registers: [registry] });
export const casesCompleted = new Counter({ name: 'loopdesk_cases_completed_total', help: 'Instances completed', labelNames: ['process'], registers: [registry] });
export const taskCompletionSeconds = new Histogram({
  name: 'loopdesk_task_completion_seconds',
  help: 'Latency of completing a task (request to commit)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});
export const timerLagSeconds = new Histogram({
  name: 'loopdesk_timer_lag_seconds',
  help: 'How late a timer or SLA job fired (fired at minus due at)',
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 3600],
  registers: [registry],
});
export const jobRetries = new Counter({ name: 'loopdesk_job_retries_total', help: 'Jobs postponed after a failure', registers: [registry] });
export const slaBreaches = new Counter({ name: 'loopdesk_sla_breaches_total', help: 'SLA clocks breached', labelNames: ['clock'], registers: [registry] });
export const httpResponses = new Counter({ name: 'loopdesk_http_responses_total', help: 'HTTP responses by status code', labelNames: ['status'], registers: [registry] });
export const jobQueueDepth = new Gauge({ name: 'loopdesk_job_queue_depth', help: 'Jobs waiting (timers, SLA, service tasks)', labelNames: ['kind'], registers: [registry] });
