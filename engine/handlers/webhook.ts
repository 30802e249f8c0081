import type { AsyncServiceHandler } from '../bpmn/services.ts';

const TIMEOUT_MS = 10_000;

/**
 * POSTs the task's inputs as JSON to the `url` header. Runs as a job outside the step's
 * transaction and is retried with backoff on failure (zeebe:taskDefinition retries, default 3);
 * with a `resultVariable` header the JSON answer is stored under that variable.
 */
export const webhook: AsyncServiceHandler = {
  name: 'webhook',
  mode: 'async',
  async run(call) {
    const url = call.headers.url ?? (typeof call.inputs.url === 'string' ? call.inputs.url : undefined);
    if (!url || !/^https?:\/\//.test(url)) throw new Error(`webhook needs an http(s) url header, got ${url ?? 'none'}`);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instanceId: call.instanceId, businessKey: call.businessKey, nodeId: call.nodeId, data: call.inputs }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`webhook ${url} answered ${res.status}`);
    const name = call.headers.resultVariable;
    if (!name) return undefined;
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // a non-JSON answer is kept as text
    }
    return { [name]: body };
  },
};
