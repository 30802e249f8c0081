/**
 * One error shape for every failure: `{code, message, errors?}` with a stable code, a message in
 * the caller's language and pointers at the fields or BPMN elements at fault. Never a stack trace,
 * and a 500 only for a genuine bug (logged with the request id).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { LoopdeskError } from '../core/errors.ts';
import { DatabaseUnavailableError } from '../store/db.ts';
import { localise } from './messages.zh.ts';

/** `/body/data/phone` style pointers from ajv's instancePath and missingProperty. */
function pointer(e: { instancePath?: string; params?: Record<string, unknown> }, context: string): string {
  const base = `/${context}${e.instancePath ?? ''}`;
  const missing = e.params?.missingProperty;
  return typeof missing === 'string' ? `${base}/${missing}` : base;
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | LoopdeskError | Error, req, reply) => {
    const lang = req.lang ?? 'en';
    if (error instanceof LoopdeskError) {
      // The details (one per BPMN element or field) are localised by their own codes too.
      const errors = error.errors?.map((e) => ({ ...e, message: localise(e.code, e.message, lang) }));
      // A refusal that passes with time tells the client when to try again.
      if (error.statusCode === 503) reply.header('retry-after', '5');
      return reply.status(error.statusCode).send({ code: error.code, message: localise(error.code, error.message, lang), errors });
    }
    if (error instanceof DatabaseUnavailableError) {
      req.log.warn({ err: error }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', '1')
        .send({ code: 'LD_DATABASE_UNAVAILABLE', message: localise('LD_DATABASE_UNAVAILABLE', 'the database is unavailable; try again', lang) });
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      const context = fe.validationContext ?? 'body';
      return reply.status(400).send({
        code: 'LD_VALIDATION',
        message: localise('LD_VALIDATION', fe.message, lang),
        errors: fe.validation.map((e) => ({ path: pointer(e as never, context), message: e.message ?? 'invalid' })),
      });
    }
    const status = fe.statusCode ?? 500;
    if (status < 500) {
      const code =
        fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'LD_BODY_TOO_LARGE'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'LD_UNSUPPORTED_MEDIA_TYPE'
            : fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
              ? 'LD_INVALID_JSON'
              : (fe.code ?? 'LD_BAD_REQUEST');
      return reply.status(status).send({ code, message: localise(code, fe.message, lang) });
    }
    req.log.error({ err: error }, 'unexpected error');
    return reply.status(500).send({ code: 'LD_INTERNAL', message: localise('LD_INTERNAL', `internal error (request ${req.id})`, lang) });
  });
  app.setNotFoundHandler({}, (req, reply) => {
    reply.status(404).send({ code: 'LD_NOT_FOUND', message: localise('LD_NOT_FOUND', `no route ${req.method} ${req.url}`, req.lang ?? 'en') });
  });
}
