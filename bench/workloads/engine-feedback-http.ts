/**
 * engine-feedback-http: the engine-feedback cases played through the HTTP API against a server
 * in its own process (SQLite file), by a Node client on 127.0.0.1 with 16 cases in flight.
 * Reports task completions per second and completion latency as the client sees it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEEDBACK_KEY, FEEDBACK_XML, percentile, round, tempSqliteFile } from '../feedbackWorkload.ts';

export const name = 'engine-feedback-http';

const PASSWORD = 'bench-admin-password';

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/main.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${tempSqliteFile()}`,
      LOOPDESK_ADMIN_PASSWORD: PASSWORD,
      LOOPDESK_DEFINITIONS: mkdtempSync(join(tmpdir(), 'loopdesk-bench-defs-')),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Loopdesk (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { url, child };
}

export async function run(cases = Number(process.env.BENCH_HTTP_CASES ?? 2000), concurrency = 16) {
  const { url, child } = await startServer();
  try {
    const call = async (method: string, path: string, token: string | null, body?: unknown, type = 'application/json') => {
      const res = await fetch(url + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': type }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const json = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { token } = await call('POST', '/api/auth/login', null, { username: 'admin', password: PASSWORD });
    await call('POST', '/api/processes?publish=true', token, FEEDBACK_XML, 'application/xml');

    const latencies: number[] = [];
    const complete = async (instanceId: string, data: Record<string, unknown>) => {
      const tasks = await call('GET', `/api/tasks?state=open&instanceId=${instanceId}`, token);
      const t0 = performance.now();
      await call('POST', `/api/tasks/${tasks.items[0].id}/complete`, token, { data });
      latencies.push(performance.now() - t0);
    };
    const playCase = async (i: number) => {
      const inst = await call('POST', '/api/instances', token, { processKey: FEEDBACK_KEY, variables: {} });
      await complete(inst.id, { urgency: i % 3 === 0 ? 'high' : 'normal' });
      await complete(inst.id, { solution: 'replaced part' });
      await complete(inst.id, { score: 5 });
    };
    let next = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < cases) await playCase(next++);
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      cases,
      concurrency,
      casesPerSec: round(cases / seconds, 1),
      completionsPerSec: round(latencies.length / seconds, 1),
      p50ms: round(percentile(latencies, 50), 3),
      p99ms: round(percentile(latencies, 99), 3),
    };
  } finally {
    child.kill('SIGTERM');
  }
}
