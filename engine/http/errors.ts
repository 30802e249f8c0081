/**
 * One error shape for every failure: `{code, message, errors?}` with a stable code, a message in
 * the caller's language and pointers at the fields or BPMN elements at fault. Never a stack trace,
 * and a 500 only for a genuine bug (logged with the request id).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { LoopdeskError } from '../core/errors.ts';
import { DatabaseUnavailableError } from '../store/db.ts';

const zh: Record<string, string> = {
  LD_VALIDATION: '请求数据不符合要求',
  LD_UNAUTHENTICATED: '请先登录',
  LD_FORBIDDEN: '没有权限执行此操作',
  LD_NOT_FOUND: '未找到',
  LD_TASK_ALREADY_COMPLETED: '任务已完成',
  LD_TASK_CLAIMED: '任务已被他人领取',
  LD_BPMN_INVALID: '流程图无法部署',
  LD_PROCESS_NOT_PUBLISHED: '流程尚未发布',
  LD_MESSAGE_NOT_CORRELATED: '没有等待该消息的流程实例',
  LD_LOGIN_FAILED: '用户名或密码错误',
  LD_LOGIN_LOCKED: '登录失败次数过多，请稍后再试',
  LD_DATABASE_UNAVAILABLE: '数据库暂时不可用，请稍后重试',
  LD_ENDLESS_LOOP: '流程出现无等待节点的死循环，已中止',
  LD_USER_EXISTS: '用户名已存在',
  LD_CLOCK_NOT_MANUAL: '当前不是手动时钟模式',
  LD_BODY_TOO_LARGE: '请求体过大',
  LD_UNSUPPORTED_MEDIA_TYPE: '不支持的内容类型',
  LD_INVALID_JSON: 'JSON 格式错误',
};

export function localise(code: string, message: string, lang: 'zh-CN' | 'en'): string {
  return lang === 'zh-CN' && zh[code] ? `${zh[code]}：${message}` : message;
}

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
      return reply.status(error.statusCode).send({ code: error.code, message: localise(error.code, error.message, lang), errors: error.errors });
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
    return reply.status(500).send({ code: 'LD_INTERNAL', message: `internal error (request ${req.id})` });
  });
  app.setNotFoundHandler({}, (req, reply) => {
    reply.status(404).send({ code: 'LD_NOT_FOUND', message: localise('LD_NOT_FOUND', `no route ${req.method} ${req.url}`, req.lang ?? 'en') });
  });
}
