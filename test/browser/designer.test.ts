/**
 * The designer at /designer in a real browser (Debian chromium via playwright-core) against a real
 * server on a fresh SQLite file with the shipped definitions. The designer is built once with vite
 * into a temporary folder that the server serves (`LOOPDESK_DESIGNER_DIR`). Everything happens
 * through the page — clicks, the file input, the properties panel — except a few modeling calls
 * (remove a node, connect two, break a condition) made through bpmn-js's own API on
 * `window.__designer`, as a user's drag on the canvas would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { within } from '../helpers/bounded.ts';
import { type BuiltHarness, buildHarness } from '../helpers/buildHarness.ts';
import { ADMIN_PASSWORD, type TestServer, startTestServer } from '../helpers/server.ts';
import { assertChromium, launchChromium } from './chromium.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const DEFINITIONS = fileURLToPath(new URL('../../definitions/', import.meta.url));
const MIWG = fileURLToPath(new URL('../../../shared/corpus/bpmn-miwg/', import.meta.url));
const DESIGNER_HTML = fileURLToPath(new URL('../../designer/index.html', import.meta.url));
const PROCESS = 'aftersales-feedback';

/** A diagram as Camunda Modeler 8 saves it: zeebe extensions, modeler attributes, a Camunda 7 attribute too. */
const CAMUNDA_MODELER_DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1x0k2m4" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="repair-request" name="Repair request" isExecutable="true" camunda:historyTimeToLive="30">
    <bpmn:extensionElements><zeebe:versionTag value="v3" /><zeebe:properties><zeebe:property name="owner" value="after-sales" /></zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_assess" name="Assess"><bpmn:extensionElements><zeebe:userTask /><zeebe:formDefinition formId="handling" /><zeebe:assignmentDefinition candidateGroups="service-center" /><zeebe:taskSchedule dueDate="=now() + duration(&quot;P1D&quot;)" /></bpmn:extensionElements><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_assess" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_assess" targetRef="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1"><bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="repair-request">
    <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Task_assess_di" bpmnElement="Task_assess"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1"><dc:Bounds x="392" y="102" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2"><di:waypoint x="340" y="120" /><di:waypoint x="392" y="120" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;

let built: BuiltHarness;
let server: TestServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const failedCalls: string[] = [];
const timings: Record<string, number> = {};
let pilotToken: string;
let otherToken: string;

async function shot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `designer-${name}.png`) });
}

/** The text of the process designer's status line once it names `text`. */
async function processNotice(text: string): Promise<{ kind: string; text: string }> {
  const notice = page.locator('.ld-process-status .ld-notice');
  await expect.poll(async () => (await notice.textContent()) ?? '', { timeout: 10_000 }).toContain(text);
  return { kind: (await notice.getAttribute('data-kind')) ?? '', text: (await notice.textContent()) ?? '' };
}

async function formNotice(text: string): Promise<{ kind: string; text: string }> {
  const notice = page.locator('.ld-form-editor > .ld-notice');
  await expect.poll(async () => (await notice.textContent()) ?? '', { timeout: 10_000 }).toContain(text);
  return { kind: (await notice.getAttribute('data-kind')) ?? '', text: (await notice.textContent()) ?? '' };
}

/** Runs bpmn-js modeling calls in the page, as dragging on the canvas would. */
async function model<T>(fn: (m: ModelerInPage) => T): Promise<T> {
  return page.evaluate(`(${fn.toString()})(window.__designer.process.modeler())`) as Promise<T>;
}
interface ModelerInPage {
  get(name: string): any;
}

async function startCase(token: string) {
  const data = { channel: 'phone', customerName: '陈小明', orderNo: 'SO20240115001', type: 'complaint', urgency: 'normal', description: '空调不制冷' };
  const r = await server.api('POST', '/api/instances', { token, body: { processKey: PROCESS, data } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; version: number };
}

async function setUp() {
  assertChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  // The server looks into the designer folder per request, so building, starting and launching overlap.
  const outDir = await mkdtemp(join(tmpdir(), 'loopdesk-designer-'));
  process.env.LOOPDESK_DESIGNER_DIR = outDir;
  let t = performance.now();
  const startServer = async () => {
    const s = await startTestServer('sqlite', { definitionsDir: DEFINITIONS });
    timings.server = Math.round(performance.now() - t);
    return s;
  };
  [built, server, browser] = await Promise.all([
    buildHarness(DESIGNER_HTML, outDir),
    startServer(),
    launchChromium(),
  ]);
  timings.build = built.ms;
  pilotToken = await server.user('pilot-agent', { teams: ['pilot-team'] });
  otherToken = await server.user('other-agent', { teams: ['other-team'] });
  t = performance.now();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // Refused requests are counted in failedCalls (some tests make them on purpose).
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url().includes('/api/')) failedCalls.push(`${r.request().method()} ${new URL(r.url()).pathname} → ${r.status()}`);
  });
  await page.goto(`${server.url}/designer`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.ld-app[data-ready=true]');
  await page.waitForFunction(() => !!(window as unknown as { __designer?: { process?: { modeler(): unknown } } }).__designer?.process?.modeler());
  timings.launch = Math.round(performance.now() - t);
}

let setupError: unknown;
beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error;
  }
}, 90_000);
beforeEach(() => {
  if (setupError) throw setupError;
});

afterAll(async () => {
  await within('closing chromium', browser?.close());
  await within('closing the server', server?.close());
  if (built) await rm(built.outDir, { recursive: true, force: true });
  delete process.env.LOOPDESK_DESIGNER_DIR;
  console.info(`designer timings (ms): ${JSON.stringify(timings)}`);
  if (failedCalls.length) console.info(`designer: API calls that failed (some on purpose): ${failedCalls.join('; ')}`);
});

describe('designer at /designer', () => {
  it('R0b: is served by the server with its assets, and the API stays behind the login', async () => {
    const html = await fetch(`${server.url}/designer/`);
    expect(html.status).toBe(200);
    const text = await html.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(text)?.[1];
    expect(script, text).toBeTruthy();
    const asset = await fetch(`${server.url}/designer/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${server.url}/designer/../api/processes`)).status).not.toBe(200);
    expect((await fetch(`${server.url}/designer/assets/..%2f..%2fpackage.json`)).status).toBe(404);
  });

  it('R0b: opens every BPMN-MIWG reference diagram and a Camunda Modeler diagram without an error', async () => {
    const t = performance.now();
    const files = readdirSync(MIWG).filter((f) => f.endsWith('.bpmn')).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    const results: Record<string, string> = {};
    for (const file of files) {
      await page.setInputFiles('[data-testid=bpmn-file]', join(MIWG, file));
      const notice = await processNotice(file);
      const shapes = await page.evaluate(() => (window as any).__designer.process.modeler().get('elementRegistry').getAll().length as number);
      results[file] = `${notice.kind} (${shapes} elements)`;
      expect(notice.kind, `${file}: ${notice.text}`).not.toBe('error');
      expect(shapes, file).toBeGreaterThan(1);
    }
    await shot('miwg');
    // A Camunda Modeler 8 diagram, through the same file input.
    await page.setInputFiles('[data-testid=bpmn-file]', { name: 'repair-request.bpmn', mimeType: 'application/xml', buffer: Buffer.from(CAMUNDA_MODELER_DIAGRAM) });
    expect((await processNotice('repair-request.bpmn')).kind).toBe('ok');
    await page.click('g.djs-element[data-element-id="Task_assess"]');
    await expect.poll(() => page.locator('#bio-properties-panel-loopdesk-form').inputValue()).toBe('handling');
    // Saved again as .bpmn and SVG, with the Camunda extensions kept.
    const [bpmn] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 .bpmn' }).click()]);
    expect(bpmn.suggestedFilename()).toBe('repair-request.bpmn');
    const exported = readFileSync(await bpmn.path(), 'utf8');
    expect(exported).toContain('<zeebe:userTask />');
    expect(exported).toContain('<zeebe:formDefinition formId="handling" />');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 SVG' }).click()]);
    expect(svg.suggestedFilename()).toBe('repair-request.svg');
    expect(readFileSync(await svg.path(), 'utf8')).toContain('<svg');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
    timings.miwg = Math.round(performance.now() - t);
    console.info(`MIWG imports: ${JSON.stringify(results)}`);
  });

  it('R33, R0b: merges two nodes of the shipped process, attaches a form and an SLA in the Loopdesk group, sees engine errors on the canvas, deploys', async () => {
    const t = performance.now();
    await page.selectOption('[data-testid=open-deployed]', `${PROCESS}@1`);
    await processNotice(`${PROCESS} v1`);

    // R33: merge "verify identity" into "classify": deleting a node between two others joins its
    // flows (bpmn-js), so the start event now leads to classify.
    const outgoing = await model((m) => {
      const registry = m.get('elementRegistry');
      m.get('modeling').removeElements([registry.get('verify')]);
      return registry.get('start').outgoing.map((flow: { target: { id: string } }) => flow.target.id);
    });
    expect(outgoing).toEqual(['classify']);

    // The Loopdesk group of a user task: a published form and an SLA policy, picked from the server's lists.
    await page.click('g.djs-element[data-element-id="followup3"]');
    const form = page.locator('#bio-properties-panel-loopdesk-form');
    await form.waitFor();
    expect(await form.locator('option').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('(callback)')]));
    await form.selectOption('callback');
    await page.locator('#bio-properties-panel-loopdesk-sla-policy').selectOption('aftersales-default');
    await page.locator('#bio-properties-panel-loopdesk-dispatch-strategy').selectOption('skills');
    await page.locator('#bio-properties-panel-loopdesk-working-time').selectOption('cn-mainland');
    await shot('properties');
    const xml = await page.evaluate(() => (window as any).__designer.process.saveXML() as Promise<string>);
    const followup = /<bpmn:userTask id="followup3"[\s\S]*?<\/bpmn:userTask>/.exec(xml)?.[0] ?? '';
    expect(followup).toContain('<zeebe:formDefinition formId="callback" />');
    expect(followup).toContain('<loopdesk:sla policy="aftersales-default" />');
    expect(followup).toContain('<loopdesk:dispatch strategy="skills" />');
    expect(followup).toContain('<loopdesk:workingTime calendar="cn-mainland" />');
    expect(xml).not.toContain('id="verify"');

    // A broken variant: an unfinished FEEL condition and a service task type no handler has.
    await model((m) => {
      const registry = m.get('elementRegistry');
      const modeling = m.get('modeling');
      const flow = registry.get('f_route_product');
      modeling.updateModdleProperties(flow, flow.businessObject.conditionExpression, { body: '=feedbackIntake.type = ' });
      const report = registry.get('report');
      const definition = report.businessObject.extensionElements.values.find((v: { $type: string }) => v.$type === 'zeebe:TaskDefinition');
      modeling.updateModdleProperties(report, definition, { type: 'no-such-handler' });
    });
    // FEEL is checked while drawing, before the engine sees it.
    await expect.poll(() => page.locator('[data-testid=problems] li[data-source=feel][data-element-id=f_route_product]').count()).toBe(1);
    await page.click('[data-testid=deploy-draft]');
    const refused = await processNotice('引擎拒绝');
    expect(refused.kind).toBe('error');
    await expect.poll(() => page.locator('.ld-bubble[data-source=engine]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const marked = await page.locator('.ld-bubble[data-source=engine]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.elementId).sort());
    expect(marked).toEqual(expect.arrayContaining(['f_route_product', 'report']));
    expect(await page.locator('g.djs-element.ld-error[data-element-id="report"]').count()).toBe(1);
    expect(await page.locator('[data-testid=problems] li[data-source=engine][data-element-id=report]').textContent()).toMatch(/no-such-handler/);
    await shot('deploy-errors');

    // Undo the breakage (two commands) and deploy as a draft: version 2.
    await model((m) => {
      m.get('commandStack').undo();
      m.get('commandStack').undo();
    });
    await expect.poll(() => page.locator('[data-testid=problems] li[data-source=feel]').count()).toBe(0);
    await page.click('[data-testid=deploy-draft]');
    const deployed = await processNotice('已部署');
    expect(deployed.kind, deployed.text).toBe('ok');
    expect(deployed.text).toMatch(/版本 2/);
    expect(await page.locator('.ld-bubble[data-source=engine].ld-bubble-error').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid=process-versions] li[data-version="2"]').getAttribute('data-status')).toBe('draft');

    // What changed between the versions, on the canvas.
    await page.selectOption('[data-testid=diff-from]', '1');
    await page.selectOption('[data-testid=diff-to]', '2');
    await page.click('[data-testid=diff-run]');
    const diff = page.locator('[data-testid=process-diff]');
    await expect.poll(() => diff.locator('[data-kind=removed]').textContent()).toContain('verify');
    expect(await diff.locator('[data-kind=changed]').textContent()).toContain('followup3');
    await expect.poll(() => page.locator('g.djs-element.ld-diff-changed[data-element-id="followup3"]').count()).toBe(1);
    await shot('diff');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
    timings.process = Math.round(performance.now() - t);
  });

  it('R0a, R32: a show-if rule built in the form designer hides and shows the field in the preview, and the server dry run agrees', async () => {
    const t = performance.now();
    await page.click('[data-testid=tab-form]');
    await page.click('[data-testid=new-form]');
    await page.fill('input[name=formKey]', 'contact-check');
    await page.fill('input[name=formTitleZh]', '联系方式核对');
    await page.fill('input[name=formTitleEn]', 'Contact check');

    // Field 1: the channel, a list of two options.
    await page.click('[data-testid=add-field]');
    const editor = page.locator('[data-testid=field-editor]');
    await editor.locator('input[name=fieldName]').fill('channel');
    await editor.locator('select[name=fieldKind]').selectOption('enum');
    await editor.locator('input[name=titleZh]').fill('联系渠道');
    await editor.locator('input[name=titleEn]').fill('Channel');
    await editor.locator('input[aria-label="值 1"]').fill('phone');
    await editor.locator('input[aria-label="中文 1"]').fill('电话');
    await editor.locator('input[aria-label="英文 1"]').fill('Phone');
    await editor.locator('[data-testid=add-option]').click();
    await editor.locator('input[aria-label="值 2"]').fill('email');
    await editor.locator('input[aria-label="中文 2"]').fill('邮件');
    await editor.locator('input[aria-label="英文 2"]').fill('E-mail');

    // Field 2: a phone number, shown only when the channel is phone, then required.
    await page.click('[data-testid=add-field]');
    await editor.locator('input[name=fieldName]').fill('mobile');
    await editor.locator('select[name=fieldKind]').selectOption('phone');
    await editor.locator('input[name=titleZh]').fill('手机号');
    await editor.locator('input[name=titleEn]').fill('Mobile');
    await editor.locator('select[name=rule-show-if-field]').selectOption('channel');
    await editor.locator('select[name=rule-show-if-value]').selectOption('phone');
    await editor.locator('input[name=required]').check();
    await editor.locator('input[name=personal]').check();

    // Field 3 goes first by keyboard-accessible buttons, then back by drag and drop.
    await page.click('[data-testid=add-field]');
    await editor.locator('input[name=fieldName]').fill('note');
    await editor.locator('select[name=fieldKind]').selectOption('textarea');
    await page.getByRole('button', { name: '上移 note' }).click();
    await page.getByRole('button', { name: '上移 note' }).click();
    const order = () => page.locator('[data-testid=field-tree] .ld-field-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.fieldName));
    expect(await order()).toEqual(['note', 'channel', 'mobile']);
    await page.dragAndDrop('.ld-field-row[data-field-name=note]', '[data-testid=drop-root]');
    expect(await order()).toEqual(['channel', 'mobile', 'note']);

    // The compiled definition is plain draft-07 as engine/forms/README.md describes.
    const definition = await page.evaluate(() => (window as any).__designer.forms.definition());
    expect(definition.schema.dependencies.channel.oneOf[0]).toMatchObject({
      properties: { channel: { const: 'phone' }, mobile: { type: 'string', format: 'phone', 'x-loopdesk-personal': 'phone' } },
      required: ['mobile'],
    });
    expect(definition.schema.dependencies.channel.oneOf[1]).toEqual({ properties: { channel: { not: { const: 'phone' } } } });
    expect(definition.uiSchema['ui:order']).toEqual(['channel', 'mobile', 'note', '*']);

    // Live preview: the phone field appears only for the phone channel.
    const preview = page.locator('[data-testid=form-preview]');
    await expect.poll(() => preview.locator('#root_channel').count()).toBe(1);
    expect(await preview.locator('#root_mobile').count()).toBe(0);
    await preview.locator('#root_channel').selectOption({ label: '电话' });
    await expect.poll(() => preview.locator('#root_mobile').count()).toBe(1);
    await preview.locator('#root_channel').selectOption({ label: '邮件' });
    await expect.poll(() => preview.locator('#root_mobile').count()).toBe(0);

    // Saved as a draft version, the server's dry run agrees with the preview.
    await page.click('[data-testid=save-form]');
    expect((await formNotice('contact-check')).kind).toBe('ok');
    await preview.locator('#root_channel').selectOption({ label: '电话' });
    await preview.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('[data-testid=preview-result]').getAttribute('data-paths')).toBe('/mobile');
    await page.click('[data-testid=server-check]');
    await expect.poll(() => page.locator('[data-testid=server-result]').getAttribute('data-paths')).toBe('/mobile');
    await shot('form');
    await preview.locator('#root_channel').selectOption({ label: '邮件' });
    await preview.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('[data-testid=preview-result]').getAttribute('data-valid')).toBe('true');
    await page.click('[data-testid=server-check]');
    await expect.poll(() => page.locator('[data-testid=server-result]').getAttribute('data-valid')).toBe('true');
    const api = await server.api('POST', '/api/forms/contact-check/versions/1/validate', { token: server.adminToken, body: { data: { channel: 'phone' } } });
    expect(api.body.errors.map((e: { path: string }) => e.path)).toEqual(['/mobile']);

    // A broken definition: the server's 422 pointers are shown and lead to the field.
    await page.click('[data-testid=form-tab-json]');
    const json = JSON.parse(await page.locator('[data-testid=form-json]').inputValue());
    json.schema.properties.note.maxLength = 'long';
    await page.locator('[data-testid=form-json]').fill(JSON.stringify(json, null, 2));
    await page.click('[data-testid=save-form]');
    await expect.poll(() => page.locator('[data-testid=form-errors] li').first().getAttribute('data-path')).toMatch(/^\/schema\/properties\/note/);
    await page.click('[data-testid=form-tab-design]');
    await page.locator('[data-testid=form-errors] li button').first().click();
    await expect.poll(() => page.locator('[data-testid=field-editor]').getAttribute('data-field-name')).toBe('note');
    await shot('form-errors');
    timings.form = Math.round(performance.now() - t);
  });

  it('R0d, R38: form versions — publish after seeing the diff, review fields, retire one into a new draft', async () => {
    // Back to the saved definition (the JSON edit was refused), then publish version 1.
    await page.locator('[data-form-key=contact-check]').click();
    await formNotice('contact-check');
    await page.click('[data-testid=form-tab-versions]');
    await page.click('[data-testid=publish-form-1]');
    await page.click('[data-testid=confirm-publish]');
    await formNotice('contact-check');
    await expect.poll(() => page.locator('[data-testid=form-versions] li[data-version="1"]').getAttribute('data-status')).toBe('published');

    // Version 2 adds a field; before publishing the diff names it.
    await page.click('[data-testid=form-tab-design]');
    await page.click('[data-testid=add-field]');
    await page.locator('[data-testid=field-editor] input[name=fieldName]').fill('preferredTime');
    await page.locator('[data-testid=field-editor] select[name=fieldKind]').selectOption('date-time');
    await page.click('[data-testid=save-form]');
    await formNotice('contact-check');
    await page.click('[data-testid=form-tab-versions]');
    await page.click('[data-testid=publish-form-2]');
    await expect.poll(() => page.locator('[data-testid=publish-review] [data-kind=added]').textContent()).toContain('/preferredTime');
    await shot('form-publish');
    await page.click('[data-testid=confirm-publish]');
    await expect.poll(() => page.locator('[data-testid=form-versions] li[data-version="2"]').getAttribute('data-status')).toBe('published');

    // Field review: retire the note field → a new draft without it.
    await page.click('[data-testid=form-tab-review]');
    const row = page.locator('[data-testid=field-review] tr[data-field="/note"]');
    await row.getByRole('button').click();
    await expect.poll(() => page.locator('[data-testid=form-state]').textContent()).toContain('contact-check v3');
    const v3 = await server.api('GET', '/api/forms/contact-check/versions/3', { token: server.adminToken });
    expect(v3.body.status).toBe('draft');
    expect(Object.keys(v3.body.definition.schema.properties)).not.toContain('note');
    expect(v3.body.definition.migrations).toEqual([{ op: 'drop', path: '/note' }]);
    // The published form is offered in the process designer's Loopdesk group.
    await page.click('[data-testid=tab-process]');
    await page.click('g.djs-element[data-element-id="followup7"]');
    await expect.poll(() => page.locator('#bio-properties-panel-loopdesk-form option[value=contact-check]').count()).toBe(1);
  });

  it('R34, R0d: a version piloted for one team starts that team’s cases on it and everyone else’s on the published one; feedback, roll-out, roll-back', async () => {
    const t = performance.now();
    await page.click('[data-testid=pilot-2]');
    await page.fill('.ld-pilot-form input[name=teams]', 'pilot-team');
    await page.click('.ld-pilot-form button[type=submit]');
    await expect.poll(() => page.locator('[data-testid=process-versions] li[data-version="2"]').getAttribute('data-status')).toBe('pilot');
    expect(await page.locator('[data-testid=pilot-info]').textContent()).toContain('pilot-team');

    expect((await startCase(pilotToken)).version).toBe(2);
    expect((await startCase(otherToken)).version).toBe(1);

    // A pilot user logs a problem; the owner sees it beside the diagram and finds the node.
    const fb = await server.api('POST', `/api/processes/${PROCESS}/versions/2/feedback`, { token: pilotToken, body: { nodeId: 'classify', text: '字段太多，分类时重复填写' } });
    expect(fb.status, JSON.stringify(fb.body)).toBe(201);
    await page.selectOption('[data-testid=open-deployed]', `${PROCESS}@2`);
    await processNotice(`${PROCESS} v2`);
    const feedback = page.locator('[data-testid=feedback]');
    await expect.poll(() => feedback.textContent()).toContain('字段太多');
    await feedback.getByRole('button', { name: 'classify' }).click();
    await expect.poll(() => page.locator('g.djs-element.selected[data-element-id="classify"]').count()).toBe(1);
    await shot('pilot');

    // Roll-out: everyone starts on version 2; roll-back: back to version 1.
    await page.click('[data-testid=rollout-2]');
    await expect.poll(() => page.locator('[data-testid=process-versions] li[data-version="2"]').getAttribute('data-status')).toBe('published');
    expect((await startCase(otherToken)).version).toBe(2);
    await page.click('[data-testid=rollback]');
    await expect.poll(() => page.locator('[data-testid=process-versions] li[data-version="2"]').getAttribute('data-status')).toBe('retired');
    expect((await startCase(otherToken)).version).toBe(1);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
    timings.pilot = Math.round(performance.now() - t);
  });
});
