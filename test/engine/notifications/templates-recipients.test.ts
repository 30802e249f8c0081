/**
 * The shipped templates render in zh-CN and en with the case fields filled in, safely; `to`
 * strings resolve to users by name, team, department and role (on SQLite and PostgreSQL), and an
 * unknown recipient comes back as a failure with a reason instead of vanishing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../engine/auth/users.ts';
import { UserDirectory, resolveRecipients } from '../../../engine/notifications/recipients.ts';
import { type Lang, escapeHtml, fill, htmlBody, loadTemplates, render } from '../../../engine/notifications/templates.ts';
import type { Db } from '../../../engine/store/db.ts';
import { openDatabase, parseDatabaseUrl } from '../../../engine/store/schema.ts';
import { backends, freshDatabaseUrl } from '../../helpers/backends.ts';

const templates = loadTemplates();

/** Every field any shipped template uses, so a test can see that none stays empty. */
const FIELDS = {
  case: {
    number: 'FB202405001',
    title: '空调不制冷',
    urgency: '紧急',
    assignee: '王工',
    promisedAt: '2024-05-03 18:00',
    expectedAt: '2024-05-03 18:00',
  },
  customer: { name: '陈先生' },
  contact: { phone: '400-800-1234' },
  sla: { target: '响应', dueAt: '2024-05-01 11:00', remaining: '30 分钟', overdue: '2 小时' },
  delay: { reason: '配件需从厂家调货', newDate: '2024-05-06' },
  compensation: { option: '免费延长保修 6 个月，或赠送 200 元服务券' },
  feedback: { score: 2, nps: 3, comment: '上门太晚', interveneBy: '2024-05-02 10:00' },
  followUp: { day: 3, dueAt: '2024-05-06 18:00', reason: '重大维修' },
  visit: { time: '2024-05-02 14:00', address: '上海市浦东新区 1 号', engineer: '李工', engineerPhone: '139****0000' },
  milestone: { name: '已安排维修', at: '2024-05-01 10:00', note: '工程师明天上门' },
  report: { completedAt: '2024-05-02 16:00', cause: '冷媒泄漏', solution: '补焊并加注冷媒', engineer: '李工', ratingUrl: 'https://example.com/rate/FB202405001' },
  task: { name: '问题处理' },
  recipient: { name: '王主管' },
  subject: '请查看工单',
  message: '工单 FB202405001 需要您处理',
};

const SHIPPED = ['sla-warning', 'sla-breach', 'delay-notice', 'low-score-alert', 'follow-up-reminder', 'visit-confirmation', 'milestone', 'service-report', 'handle-overdue', 'message'];

describe('notification templates', () => {
  it('R8: every shipped template exists in zh-CN and en and uses the same fields in both', () => {
    for (const key of SHIPPED) {
      const entry = templates[key];
      expect(entry, key).toBeDefined();
      const placeholders = (lang: Lang) => [...`${entry![lang]!.subject}\n${entry![lang]!.body}`.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();
      expect(placeholders('zh-CN').length, key).toBeGreaterThan(0);
      expect(new Set(placeholders('en')), key).toEqual(new Set(placeholders('zh-CN')));
    }
  });

  it('R8: every shipped template renders in both languages with no placeholder left and every field filled', () => {
    for (const key of SHIPPED) {
      for (const lang of ['zh-CN', 'en'] as const) {
        const r = render(templates, key, lang, FIELDS);
        expect(r.lang).toBe(lang);
        expect(`${r.subject}${r.body}`, `${key} ${lang}`).not.toMatch(/\{\{|\}\}/);
        expect(r.subject.length).toBeGreaterThan(0);
        expect(r.subject).not.toMatch(/[\r\n]/);
      }
    }
  });

  it('R8: an SLA warning names the case and the deadline in Chinese and in English', () => {
    const zh = render(templates, 'sla-warning', 'zh-CN', FIELDS);
    expect(zh.subject).toBe('【SLA 预警】工单 FB202405001 的响应将于 2024-05-01 11:00 到期');
    expect(zh.body).toContain('剩余 30 分钟');
    const en = render(templates, 'sla-warning', 'en', FIELDS);
    expect(en.subject).toBe('[SLA warning] 响应 of case FB202405001 is due at 2024-05-01 11:00');
    const breach = render(templates, 'sla-breach', 'zh-CN', FIELDS);
    expect(breach.subject).toContain('已超时');
    expect(breach.body).toContain('部门负责人');
  });

  it('R8: the delay notice to the customer gives the new date and a compensation option', () => {
    const r = render(templates, 'delay-notice', 'zh-CN', FIELDS);
    expect(r.body).toContain('尊敬的陈先生');
    expect(r.body).toContain('2024-05-06');
    expect(r.body).toContain('补偿方案：免费延长保修 6 个月，或赠送 200 元服务券');
    expect(render(templates, 'delay-notice', 'en', FIELDS).body).toContain('As compensation we offer: 免费延长保修');
  });

  it('R16: a milestone tells the customer the progress step with its time', () => {
    const r = render(templates, 'milestone', 'zh-CN', FIELDS);
    expect(r.subject).toBe('服务单 FB202405001 进度更新：已安排维修');
    expect(r.body).toContain('2024-05-01 10:00　已安排维修');
  });

  it('R17: a visit confirmation gives time, address and engineer', () => {
    const r = render(templates, 'visit-confirmation', 'zh-CN', FIELDS);
    expect(r.subject).toBe('上门服务预约确认：2024-05-02 14:00');
    expect(r.body).toMatch(/上海市浦东新区 1 号[\s\S]*李工[\s\S]*1 小时/);
  });

  it('R18: the service report has cause, solution, engineer and a rating invitation', () => {
    const r = render(templates, 'service-report', 'en', FIELDS);
    expect(r.subject).toBe('Service report: request FB202405001 is complete');
    expect(r.body).toContain('Cause: 冷媒泄漏');
    expect(r.body).toContain('Solution: 补焊并加注冷媒');
    expect(r.body).toContain('Engineer: 李工');
    expect(r.body).toContain('https://example.com/rate/FB202405001');
  });

  it('R20: a low-score alert asks the supervisor to intervene within 1 hour', () => {
    const r = render(templates, 'low-score-alert', 'zh-CN', FIELDS);
    expect(r.subject).toBe('【低分预警】工单 FB202405001 客户评分 2 分，请 1 小时内介入');
    expect(r.body).toContain('请在 2024-05-02 10:00 前介入处理');
  });

  it('R21: a follow-up reminder names the day and the reason', () => {
    const r = render(templates, 'follow-up-reminder', 'zh-CN', FIELDS);
    expect(r.subject).toBe('【回访提醒】工单 FB202405001 结案后第 3 天回访');
    expect(r.body).toContain('回访原因：重大维修');
  });

  it('fills dot paths safely: no code runs, nothing inherited is read, HTML is escaped only for HTML', () => {
    const fields = { a: { b: '<script>alert(1)</script>' }, n: 0, list: ['x', 'y'] };
    expect(fill('{{a.b}}', fields)).toBe('<script>alert(1)</script>');
    expect(fill('{{a.b}}', fields, 'html')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(fill('{{ n }}/{{list}}/{{missing.path}}', fields)).toBe('0/x, y/');
    expect(fill('{{constructor.constructor}}{{a.__proto__}}{{toString}}{{a.b.length}}', fields)).toBe('');
    expect(fill('{{ process.exit() }} {{a.b + 1}}', fields)).toBe('{{ process.exit() }} {{a.b + 1}}');
    expect(htmlBody('1 < 2\n"ok"')).toContain('1 &lt; 2<br>\n&quot;ok&quot;');
    expect(escapeHtml(`&'`)).toBe('&amp;&#39;');
    // A line break in a field cannot add a mail header through the subject.
    expect(render({ t: { 'zh-CN': { subject: 'S {{x}}', body: '' } } }, 't', 'en', { x: 'a\r\nBcc: evil@example.com' }).subject).toBe('S a Bcc: evil@example.com');
  });

  it('falls back to zh-CN for a language the template lacks and refuses an unknown template', () => {
    expect(render({ t: { 'zh-CN': { subject: '中文', body: '' } } }, 't', 'en', {}).lang).toBe('zh-CN');
    expect(() => render(templates, 'no-such-template', 'zh-CN', {})).toThrow(/unknown notification template "no-such-template"/);
  });
});

for (const backend of await backends()) {
  describe(`recipients (${backend})`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const fresh = await freshDatabaseUrl(backend);
      drop = fresh.drop;
      db = await openDatabase(parseDatabaseUrl(fresh.url, ''));
      const now = Date.now();
      const mk = (username: string, roles: ('agent' | 'supervisor' | 'admin')[], teams: string[], departments: string[], displayName?: string) =>
        createUser(db, { username, password: 'pw-123456', roles, teams, departments, displayName }, 'test', now);
      await mk('wang', ['agent'], ['desk'], ['after-sales'], '王工');
      await mk('li', ['agent'], ['desk', 'field'], ['after-sales']);
      await mk('zhao', ['agent'], ['field'], ['product']);
      await mk('head', ['supervisor'], [], ['after-sales'], '售后部主管');
      await mk('chen@example.com', ['agent'], ['desk'], []);
      await mk('gone', ['agent'], ['desk'], []);
      await db.run('UPDATE users SET active = 0 WHERE username = ?', ['gone']);
    });
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    const names = async (to: unknown, channel: 'in-app' | 'email' | 'webhook' = 'in-app') =>
      (await resolveRecipients(new UserDirectory(db), to, channel)).map((t) => (t.error ? `!${t.recipient}: ${t.error}` : t.recipient)).sort();

    it('R8: team, department, role and user recipients resolve to the active users', async () => {
      expect(await names('team:desk')).toEqual(['chen@example.com', 'li', 'wang']);
      expect(await names('department:after-sales')).toEqual(['head', 'li', 'wang']);
      expect(await names('role:supervisor')).toEqual(['head']);
      expect(await names('user:zhao')).toEqual(['zhao']);
      expect(await names('zhao')).toEqual(['zhao']);
      // The assignee and the department head (R8), named together, each once.
      expect(await names('wang, department:after-sales; role:supervisor')).toEqual(['head', 'li', 'wang']);
      expect(await names(['team:field', 'user:li'])).toEqual(['li', 'zhao']);
    });

    it('R8: the display name and a stored language travel with the target', async () => {
      const [t] = await resolveRecipients(new UserDirectory(db), 'role:supervisor', 'in-app');
      expect(t).toMatchObject({ recipient: 'head', name: '售后部主管', lang: null });
    });

    it('R8: unknown or deactivated recipients come back as failures with a reason', async () => {
      expect(await names('team:nobody')).toEqual(['!team:nobody: unknown recipient: no active user has team "nobody"']);
      expect(await names('ghost')).toEqual(['!ghost: unknown recipient: no user named "ghost" (for a group write team:…, department:… or role:…)']);
      expect(await names('user:gone')).toEqual(['!user:gone: user "gone" is deactivated']);
      expect(await names('')).toEqual(['!(none): the notification names no recipient (to is empty)']);
      expect(await names('team:nobody, wang')).toEqual(['!team:nobody: unknown recipient: no active user has team "nobody"', 'wang']);
    });

    it('R16: e-mail addresses and webhook URLs are recipients of their own channels', async () => {
      expect(await names('customer@example.com', 'email')).toEqual(['customer@example.com']);
      expect(await names('email:customer@example.com', 'email')).toEqual(['customer@example.com']);
      expect(await names('https://hooks.example.com/loopdesk', 'webhook')).toEqual(['https://hooks.example.com/loopdesk']);
      // A user reached by e-mail needs an address: here only the account named by its address has one.
      expect(await names('team:desk', 'email')).toEqual([
        '!li: user "li" has no e-mail address on record',
        '!wang: user "wang" has no e-mail address on record',
        'chen@example.com',
      ]);
      expect(await names('https://hooks.example.com/x', 'in-app')).toEqual(['!https://hooks.example.com/x: a URL receives webhooks, not in-app notifications']);
      expect(await names('wang', 'webhook')).toEqual(['!wang: user "wang" cannot receive webhooks; webhook recipients are http(s) URLs']);
      expect(await names('email:not-an-address', 'email')).toEqual(['!email:not-an-address: "not-an-address" is not an e-mail address']);
    });
  });
}
