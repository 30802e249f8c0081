/**
 * runtime-ui: what the agents' browser pays. Builds the runtime UI as `npm run build` does and
 * reports the first-load JavaScript (entry chunk + the chunks it imports statically, gzip -9), then
 * times, in chromium against a real server, navigation → an interactive 60-field task form (the
 * form chunk with @rjsf and ajv is lazy-loaded, the form fetched and rendered, its last input
 * enabled): once in a fresh browser context (cold cache) and as the median of reloads (warm).
 *
 * Targets: first-load JS ≤ 120 KB gzipped (React is ~60 of it); 60-field form interactive ≤ 1.5 s
 * cold and ≤ 700 ms warm on this machine class.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startTestServer } from '../../test/helpers/server.ts';
import { buildRuntimeUi, firstLoadJs } from '../../test/browser/runtime-ui/build.ts';

export const name = 'runtime-ui';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const FIELDS = 60;
const WARM_RUNS = 5;

/** A form with every common widget: text, textarea, number, select, radio, checkbox, date, date-time. */
function sixtyFieldForm(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const uiSchema: Record<string, unknown> = {};
  const required: string[] = [];
  for (let i = 1; i <= FIELDS; i++) {
    const key = `f${i}`;
    const title = `字段 ${i}`;
    const en = { 'x-loopdesk-en': { title: `Field ${i}` } };
    switch (i % 8) {
      case 0:
        properties[key] = { type: 'string', title, maxLength: 200, ...en };
        break;
      case 1:
        properties[key] = { type: 'string', title, maxLength: 2000, ...en };
        uiSchema[key] = { 'ui:widget': 'textarea', 'ui:options': { rows: 2 } };
        break;
      case 2:
        properties[key] = { type: 'integer', title, minimum: 0, maximum: 1000, ...en };
        break;
      case 3:
        properties[key] = { type: 'string', title, oneOf: ['a', 'b', 'c', 'd'].map((v) => ({ const: v, title: `选项 ${v}` })), ...en };
        break;
      case 4:
        properties[key] = { type: 'string', title, oneOf: ['x', 'y'].map((v) => ({ const: v, title: v })), ...en };
        uiSchema[key] = { 'ui:widget': 'radio', 'ui:options': { inline: true } };
        break;
      case 5:
        properties[key] = { type: 'boolean', title, ...en };
        break;
      case 6:
        properties[key] = { type: 'string', format: 'date', title, ...en };
        break;
      default:
        properties[key] = { type: 'string', format: 'date-time', title, ...en };
    }
    if (i % 5 === 0) required.push(key);
  }
  // The last field is a plain text input: "interactive" is measured on it.
  properties[`f${FIELDS}`] = { type: 'string', title: `字段 ${FIELDS}`, maxLength: 200 };
  return {
    key: 'bench-sixty',
    title: { 'zh-CN': '六十个字段', en: 'Sixty fields' },
    schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties, required },
    uiSchema: { 'ui:order': Object.keys(properties), ...uiSchema },
  };
}

const PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench-sixty-defs" targetNamespace="http://loopdesk.dev/bench">
  <bpmn:process id="bench-sixty" name="Sixty fields" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill" name="Fill sixty fields"><bpmn:extensionElements><zeebe:formDefinition formId="bench-sixty" /><zeebe:assignmentDefinition candidateGroups="bench" /></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium`);
  const built = await buildRuntimeUi();
  const firstLoad = await firstLoadJs(built.dir);

  const env = { ui: process.env.LOOPDESK_UI_DIR, delay: process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS };
  process.env.LOOPDESK_UI_DIR = built.dir;
  process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS = '60000';
  const s = await startTestServer('sqlite');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const saved = await s.api('POST', '/api/forms?publish=true', { token: s.adminToken, body: sixtyFieldForm() });
    if (saved.status !== 201) throw new Error(`saving the form: ${saved.status} ${JSON.stringify(saved.body)}`);
    const deployed = await s.deploy(PROCESS);
    if (deployed.status !== 201) throw new Error(`deploying: ${deployed.status} ${JSON.stringify(deployed.body)}`);
    const token = await s.user('bench-agent', { teams: ['bench'] });
    const started = await s.api('POST', '/api/instances', { token, body: { processKey: 'bench-sixty' } });
    if (started.status !== 201) throw new Error(`starting: ${started.status} ${JSON.stringify(started.body)}`);
    const task = (await s.api('GET', `/api/tasks?instanceId=${started.body.id}`, { token })).body.items[0] as { id: string };

    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await context.addInitScript((t) => sessionStorage.setItem('loopdesk.token', t), token);
    const page = await context.newPage();
    const url = `${s.url}/tasks/${task.id}`;
    const last = `root_f${FIELDS}`;
    /** ms from navigation start (the browser's own clock) until the last input is enabled. */
    const measure = async (reload: boolean): Promise<number> => {
      if (reload) await page.reload({ waitUntil: 'commit' });
      else await page.goto(url, { waitUntil: 'commit' });
      const handle = await page.waitForFunction(
        (id) => {
          const el = document.getElementById(id) as HTMLInputElement | null;
          return el && !el.disabled ? performance.now() : false;
        },
        last,
        { polling: 'raf', timeout: 30_000 },
      );
      return Math.round(Number(await handle.jsonValue()));
    };
    const coldMs = await measure(false);
    const fields = await page.locator('.loopdesk-form input, .loopdesk-form select, .loopdesk-form textarea').count();
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warm.push(await measure(true));
    await context.close();
    return {
      firstLoadJsGzipKB: Math.round(firstLoad.gzipBytes / 102.4) / 10,
      firstLoadJsKB: Math.round(firstLoad.bytes / 102.4) / 10,
      firstLoadFiles: firstLoad.files.length,
      buildMs: built.ms,
      formFields: FIELDS,
      formControls: fields,
      formInteractiveColdMs: coldMs,
      formInteractiveWarmMedianMs: median(warm),
      formInteractiveWarmMs: warm,
    };
  } finally {
    await browser.close();
    await s.close();
    if (env.ui === undefined) delete process.env.LOOPDESK_UI_DIR;
    else process.env.LOOPDESK_UI_DIR = env.ui;
    if (env.delay === undefined) delete process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS;
    else process.env.LOOPDESK_MAX_EVENT_LOOP_DELAY_MS = env.delay;
  }
}
