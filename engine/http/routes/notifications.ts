import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../../schemas/api.ts';
import {
  deliveriesQuery,
  deliveriesResponse,
  deliverySchema,
  inboxItemSchema,
  inboxQuery,
  inboxResponse,
  notificationIdParams,
  readAllResponse,
} from '../../../schemas/notifications.ts';
import { listDeliveries, listInbox, markAllRead, markRead, retryDelivery } from '../../notifications/inbox.ts';
import { type RouteDeps, typed, userOf } from '../types.ts';

export async function notificationRoutes(app: FastifyInstance, { ctx }: RouteDeps) {
  const r = typed(app);
  const tags = ['notifications'];

  r.get(
    '/api/notifications',
    {
      config: { access: 'user' },
      schema: { tags, description: "The caller's in-app notifications, newest first, with the unread count.", querystring: inboxQuery, response: { 200: inboxResponse, ...errorResponses } },
    },
    async (req) => listInbox(ctx, userOf(req), req.query),
  );

  r.post(
    '/api/notifications/read-all',
    { config: { access: 'user' }, schema: { tags, description: "Marks all of the caller's notifications read.", response: { 200: readAllResponse, ...errorResponses } } },
    async (req) => markAllRead(ctx, userOf(req), req.id),
  );

  r.post(
    '/api/notifications/:id/read',
    {
      config: { access: 'user' },
      schema: { tags, description: "Marks one of the caller's notifications read; anyone else's is 404.", params: notificationIdParams, response: { 200: inboxItemSchema, ...errorResponses } },
    },
    async (req) => markRead(ctx, userOf(req), req.params.id, req.id),
  );

  r.get(
    '/api/notifications/deliveries',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        tags,
        description: 'Every delivery on every channel with its state, attempts, next attempt and last error.',
        querystring: deliveriesQuery,
        response: { 200: deliveriesResponse, ...errorResponses },
      },
    },
    async (req) => listDeliveries(ctx, req.query),
  );

  r.post(
    '/api/notifications/deliveries/:id/retry',
    {
      config: { access: ['admin'] },
      schema: {
        tags,
        description: 'Sends a failed or waiting e-mail or webhook delivery again now, with a fresh set of attempts.',
        params: notificationIdParams,
        response: { 200: deliverySchema, ...errorResponses },
      },
    },
    async (req) => retryDelivery(ctx, userOf(req), req.params.id, req.id),
  );
}
