/**
 * The intake form in a real browser (Debian chromium via playwright-core) against the server's
 * `validateSubmission` on the same schema and data: for every conditional kind the browser must
 * find exactly the errors a 422 would carry, at the same fields. The harness page is built once
 * with vite, served from 127.0.0.1, and one page is reused for every case.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { within } from '../helpers/bounded.ts';
import {
  type FormDefinition,
  type FormLang,
  type FormVersion,
  PII_READ,
  reminders,
  schemaFor,
  validateSubmission,
} from '../../engine/forms/index.ts';
import type { PointedText } from '../../runtime-ui/src/forms/pointer.ts';
import { type BuiltHarness, buildHarness } from '../helpers/buildHarness.ts';
import type { RenderProps, Submitted } from './harness/forms.tsx';
import { assertChromium, launchChromium } from './chromium.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

const definition = JSON.parse(
  readFileSync(new URL('../engine/forms/fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const intake: FormVersion = { ...definition, version: 'browser-parity' };
/** Sees and writes every field, unmasked: the browser gets the same rules the server applies. */
const supervisor = { roles: ['supervisor'], permissions: [PII_READ] };
const LANGS: FormLang[] = ['zh-CN', 'en'];
type Data = Record<string, unknown>;
const valid = (): Data => structuredClone(definition.examples?.[0].data as Data);

/** Each conditional kind of the intake form with a valid and an invalid data set. */
const KINDS: { name: string; valid: Data; invalid: Data }[] = [
  {
    name: 'required-if — urgency high makes safetyRisk required (if/then)',
    valid: { ...valid(), urgency: 'high', safetyRisk: false },
    invalid: { ...valid(), urgency: 'high' },
  },
  {
    name: 'show/hide — type "other" shows otherDescription and requires it (dependencies + oneOf)',
    valid: { ...valid(), type: 'other', otherDescription: '发票开错了' },
    invalid: { ...valid(), type: 'other' },
  },
  {
    name: 'enum list — oneOf + const + title; an unknown value and a missing one',
    valid: { ...valid(), type: 'inquiry', channel: 'third-party' },
    invalid: { ...valid(), type: 'praise', channel: undefined },
  },
  {
    name: 'cross-field — completedAt after assignedAt, time zones counted ($data + formatExclusiveMinimum)',
    // 02:30Z is 10:30 in Beijing: after 09:00+08:00, though "02:30" < "09:00" as text.
    valid: { ...valid(), completedAt: '2024-05-01T02:30:00Z' },
    invalid: { ...valid(), completedAt: '2024-05-01T09:30:00+09:00' },
  },
  {
    name: 'format phone — the phone format with the field\'s own message',
    valid: { ...valid(), phone: '+86 13812345678' },
    invalid: { ...valid(), phone: '138-1234' },
  },
];

let built: BuiltHarness;
let server: Server;
let browser: Browser;
let page: Page;
let origin: string;
const consoleProblems: string[] = [];
const timings: Record<string, number> = {};

function serve(dir: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };
  const http = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path);
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)));
}

function viewFor(lang: FormLang, formData: Data, extra: Partial<RenderProps> = {}): RenderProps {
  const { schema, uiSchema } = schemaFor(intake, supervisor, lang);
  return { schema, uiSchema, formData, lang, ...extra };
}

async function render(props: RenderProps): Promise<{ formData: Data }> {
  return page.evaluate((p) => window.renderForm(p), JSON.parse(JSON.stringify(props)) as RenderProps);
}

async function submit(): Promise<Submitted> {
  return page.evaluate(() => window.submitForm());
}

const sorted = (list: readonly PointedText[]) =>
  list.map(({ path, message }) => `${path} ${message}`).sort();

async function setUp(): Promise<void> {
  assertChromium();
  built = await buildHarness(fileURLToPath(new URL('./harness/forms.html', import.meta.url)));
  timings.build = built.ms;
  server = await serve(built.outDir);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = performance.now();
  browser = await launchChromium();
  // Date-times show in the viewer's zone; the fixture's teams work in Beijing time.
  page = await browser.newPage({ viewport: { width: 900, height: 900 }, timezoneId: 'Asia/Shanghai' });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleProblems.push(`pageerror: ${e.message}`));
  await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  await page.goto(`${origin}${built.page}`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  timings.launch = Math.round(performance.now() - t);
}

// A missing browser or a failed build fails every test with the reason — none is reported skipped.
let setupError: unknown;
beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error;
  }
});
beforeEach(() => {
  if (setupError) throw setupError;
});

afterAll(async () => {
  await within('closing chromium', browser?.close());
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (built) await rm(built.outDir, { recursive: true, force: true });
  console.info(`form-parity timings (ms): ${JSON.stringify(timings)}`);
});

describe('LoopdeskForm in chromium agrees with the server', () => {
  for (const kind of KINDS) {
    it(`R0a: ${kind.name}`, async () => {
      const t = performance.now();
      for (const lang of LANGS) {
        for (const [label, data] of [['valid', kind.valid], ['invalid', kind.invalid]] as const) {
          const json = JSON.parse(JSON.stringify(data)) as Data;
          const expected = validateSubmission(intake, json, lang);
          expect(expected.length > 0, `${label} data is ${label} on the server (${lang})`).toBe(label === 'invalid');

          const rendered = await render(viewFor(lang, json));
          // The browser holds what it was given: no field filled in on the user's behalf.
          expect(rendered.formData, `${label} ${lang}: data after rendering`).toEqual(json);
          const submitted = await submit();
          expect(submitted.formData).toEqual(json);
          expect(sorted(submitted.errors), `${label} ${lang}: messages beside the fields`).toEqual(sorted(expected));
          expect(sorted(submitted.reported), `${label} ${lang}: errors reported to onError`).toEqual(sorted(expected));
          // What a user sees: each message inside its field's container.
          for (const error of expected) {
            const field = page.locator(`[data-pointer="${error.path}"]`).first();
            await expect.poll(() => field.textContent()).toContain(error.message);
          }
        }
      }
      timings[kind.name.split(' ')[0]] = Math.round(performance.now() - t);
    });
  }

  it('R0a: a blank form stays blank — no enum option or boolean is chosen for the user — and fails like on the server', async () => {
    for (const lang of LANGS) {
      for (const data of [{}, { urgency: 'high' }]) {
        const rendered = await render(viewFor(lang, data));
        expect(rendered.formData, `${JSON.stringify(data)} ${lang}`).toEqual(data);
        expect(await page.locator('#root_channel').inputValue()).toBe('');
        const submitted = await submit();
        expect(sorted(submitted.errors)).toEqual(sorted(validateSubmission(intake, data, lang)));
      }
    }
  });

  it('R0a: show/hide — otherDescription is absent from the DOM until type is "other", then shown with its label', async () => {
    await render(viewFor('zh-CN', { ...valid(), type: 'complaint' }));
    expect(await page.locator('#root_otherDescription').count()).toBe(0);
    await render(viewFor('zh-CN', { ...valid(), type: 'other' }));
    await expect.poll(() => page.locator('#root_otherDescription').count()).toBe(1);
    expect(await page.locator('label[for="root_otherDescription"]').textContent()).toContain('其他类型说明');

    // And as a user does it: choosing 其他 in the list shows the field, choosing 咨询 hides it again.
    await render(viewFor('zh-CN', { ...valid(), type: 'complaint' }));
    await page.selectOption('#root_type', { label: '其他' });
    await page.locator('#root_otherDescription').waitFor({ state: 'visible' });
    await page.selectOption('#root_type', { label: '咨询' });
    await page.locator('#root_otherDescription').waitFor({ state: 'detached' });
  });

  it('R4: enum lists show their labels in the viewer\'s language (投诉 … in zh-CN, Complaint … in en)', async () => {
    const titles = (lang: FormLang) =>
      (definition.schema.properties.type as { oneOf: { title: string; 'x-loopdesk-en': { title: string } }[] }).oneOf.map(
        (o) => (lang === 'en' ? o['x-loopdesk-en'].title : o.title),
      );
    for (const lang of LANGS) {
      await render(viewFor(lang, valid()));
      const options = await page.locator('#root_type option').allInnerTexts();
      expect(options.filter((o) => o.trim() !== '')).toEqual(titles(lang));
      expect(await page.locator('#root_type').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text)).toBe(
        lang === 'en' ? 'Complaint' : '投诉',
      );
      expect(await page.locator('label[for="root_type"]').textContent()).toContain(lang === 'en' ? 'Type' : '反馈类型');
      const urgency = await page.locator('[data-field="root_urgency"] label').allInnerTexts();
      expect(urgency.join('|')).toContain(lang === 'en' ? 'Urgent' : '紧急');
    }
    expect(titles('zh-CN')).toContain('投诉');
  });

  it('R32: the urgent-case reminder is visible beside urgency and read with it, in both languages', async () => {
    for (const lang of LANGS) {
      const data = { ...valid(), urgency: 'high', safetyRisk: false };
      const notes = reminders(intake, data, lang);
      expect(notes.map((n) => n.path)).toEqual(['/urgency']); // safetyRisk false: no safety reminder
      await render(viewFor(lang, data, { reminders: notes }));
      const text = lang === 'en' ? 'Urgent: respond within 2 h' : '紧急：需2小时内响应';
      const note = page.locator('[data-field="root_urgency"] .loopdesk-reminder');
      await expect.poll(() => note.isVisible()).toBe(true);
      expect(await note.textContent()).toContain(text);
      // The radio inputs name the reminder's element in aria-describedby.
      const described = await page.locator('#root_urgency-0').getAttribute('aria-describedby');
      const helpId = await note.evaluate((el) => el.parentElement?.id);
      expect(described?.split(' ')).toContain(helpId);
      // A reminder never blocks: the form still submits without errors.
      expect((await submit()).errors).toEqual([]);
    }
  });

  it('R32: a reminder about a field that is not on screen is listed above the form with the field\'s title', async () => {
    await render(
      viewFor('zh-CN', { ...valid(), type: 'complaint' }, { reminders: [{ path: '/otherDescription', message: '请补充说明' }] }),
    );
    const above = page.locator('.loopdesk-reminders');
    await expect.poll(() => above.isVisible()).toBe(true);
    expect(await above.textContent()).toContain('其他类型说明：请补充说明');
  });

  it('R0a: errors of the server\'s 422 answer appear inside the container of their field, nested ones too', async () => {
    const serverErrors = [
      { path: '/safetyRisk', message: '紧急反馈必须说明是否涉及安全隐患（服务器）' },
      { path: '/serviceHistory/0/satisfaction', message: '应当为 <= 5（服务器）' },
      { path: '', message: '此任务已被他人完成' },
    ];
    await render(
      viewFor('zh-CN', { ...valid(), urgency: 'high', serviceHistory: [{ date: '2024-01-02', satisfaction: 9 }] }, { serverErrors }),
    );
    for (const { path, message } of serverErrors.slice(0, 2)) {
      const id = `root${path.replace(/\//g, '_')}`;
      const container = page.locator(`[data-field="${id}"]`);
      expect(await container.locator(`#${id}`).count(), `${id} is inside its container`).toBe(1);
      await expect.poll(() => container.locator('.error-detail').textContent()).toContain(message);
      expect(await page.locator(`#${id}__error`).textContent()).toContain(message);
    }
    const summary = await page.locator('.loopdesk-errors').textContent();
    for (const { message } of serverErrors) expect(summary).toContain(message);
    expect(summary).toContain('整张表单：此任务已被他人完成');
  });

  it('R0a: every input, select and textarea has a label', async () => {
    for (const lang of LANGS) {
      await render(viewFor(lang, { ...valid(), type: 'other', serviceHistory: [{ date: '2024-01-02', satisfaction: 4 }] }));
      const unlabeled = await page.$$eval('.loopdesk-form input:not([type=hidden]), .loopdesk-form select, .loopdesk-form textarea', (els) =>
        els
          .filter((el) => {
            const labelled = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
            return !labelled;
          })
          .map((el) => el.id || el.outerHTML.slice(0, 80)),
      );
      expect(unlabeled, lang).toEqual([]);
    }
  });

  it('R4: screenshots of the form in zh-CN and en (test-artifacts/forms-zh.png, forms-en.png)', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    for (const lang of LANGS) {
      const data = { ...valid(), urgency: 'high', type: 'other', phone: '138-1234' };
      await render(viewFor(lang, data, { reminders: reminders(intake, data, lang) }));
      await submit();
      const file = join(ARTIFACTS, lang === 'en' ? 'forms-en.png' : 'forms-zh.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(existsSync(file)).toBe(true);
    }
  });

  it('R0a: the page logged no errors or warnings (e.g. a schema @rjsf could not compile)', () => {
    expect(page, 'the page was opened').toBeDefined();
    expect(consoleProblems).toEqual([]);
  });
});
