/**
 * Who a notification goes to. `to` is one string or a list (comma- or semicolon-separated works
 * too) of: a username (`user:wang` or `wang`), `team:<name>`, `department:<name>`, `role:<role>`,
 * an e-mail address (`email:` prefix optional) or an http(s) webhook URL. Groups are matched in JS
 * after one SELECT of the active users, because JSON-in-TEXT queries differ between SQLite and
 * PostgreSQL and a service desk has hundreds of users, not millions. A recipient that resolves to
 * nobody is returned with an error, so the caller stores a visible failed row instead of dropping it.
 */
import { maySeePersonalData } from '../auth/users.ts';
import type { Tx } from '../store/db.ts';
import { RECIPIENT_MAX } from './entities.ts';
import { type Lang, isLang } from './templates.ts';

export const CHANNELS = ['in-app', 'email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export const isChannel = (v: unknown): v is Channel => typeof v === 'string' && (CHANNELS as readonly string[]).includes(v);

/** One delivery target: what goes into the `recipient` column, or why there is none. */
export interface Target {
  recipient: string;
  /** Display name for the templates' `{{recipient.name}}`. */
  name: string;
  /** The user's stored language, when the users table has one. */
  lang: Lang | null;
  /**
   * May read the case's personal data unmasked (R39): staff with pii:read, and an address the
   * process names itself (the customer's own). Staff without it and webhooks get masked values.
   */
  pii: boolean;
  error?: string;
}

interface DirectoryUser {
  username: string;
  name: string;
  email: string | null;
  lang: Lang | null;
  roles: string[];
  teams: string[];
  departments: string[];
  permissions: string[];
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const URL_RE = /^https?:\/\/\S+$/i;

export const isEmailAddress = (s: string) => s.length <= 320 && EMAIL.test(s);
export const isWebhookUrl = (s: string) => {
  if (!URL_RE.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
};

function list(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The active users, read once per expansion transaction and only when a name must be resolved. */
export class UserDirectory {
  private users: Promise<DirectoryUser[]> | undefined;
  constructor(private readonly tx: Tx) {}

  all(): Promise<DirectoryUser[]> {
    this.users ??= this.tx.all<Record<string, unknown>>('SELECT * FROM users WHERE active = 1 ORDER BY username').then((rows) =>
      rows.map((r) => {
        const username = r.username as string;
        // Neither column exists yet; read them when an account model adds them.
        const email = typeof r.email === 'string' && isEmailAddress(r.email) ? r.email : isEmailAddress(username) ? username : null;
        const storedLang = r.lang ?? r.language ?? r.preferred_language;
        return {
          username,
          name: (r.display_name as string | null) || username,
          email,
          lang: isLang(storedLang) ? storedLang : null,
          roles: list(r.roles),
          teams: list(r.teams),
          departments: list(r.departments),
          permissions: list(r.permissions),
        };
      }),
    );
    return this.users;
  }

  async isDeactivated(username: string): Promise<boolean> {
    return !!(await this.tx.get('SELECT id FROM users WHERE username = ? AND active = 0', [username]));
  }
}

/** Splits `to` into recipient specs: a string list or an array of strings, blanks dropped. */
export function recipientSpecs(to: unknown): string[] {
  const parts = Array.isArray(to) ? to.flatMap((x) => (typeof x === 'string' ? x.split(/[,;]/) : [])) : typeof to === 'string' ? to.split(/[,;]/) : [];
  return [...new Set(parts.map((p) => p.trim()).filter(Boolean))];
}

const failed = (spec: string, error: string): Target => ({ recipient: spec.slice(0, RECIPIENT_MAX), name: spec, lang: null, pii: false, error });

function forUser(u: DirectoryUser, channel: Channel): Target {
  const pii = maySeePersonalData(u.roles, u.permissions);
  if (channel === 'in-app') return { recipient: u.username, name: u.name, lang: u.lang, pii };
  if (channel === 'email') {
    return u.email
      ? { recipient: u.email, name: u.name, lang: u.lang, pii }
      : { recipient: u.username, name: u.name, lang: u.lang, pii, error: `user "${u.username}" has no e-mail address on record` };
  }
  return { recipient: u.username, name: u.name, lang: u.lang, pii, error: `user "${u.username}" cannot receive webhooks; webhook recipients are http(s) URLs` };
}

/** Resolves one spec for one channel to its targets (several for a group), or one failed target. */
export async function resolveSpec(dir: UserDirectory, spec: string, channel: Channel): Promise<Target[]> {
  if (isWebhookUrl(spec)) {
    if (channel !== 'webhook') return [failed(spec, `a URL receives webhooks, not ${channel} notifications`)];
    if (spec.length > RECIPIENT_MAX) return [failed(spec, `the webhook URL is longer than ${RECIPIENT_MAX} characters`)];
    // Another system: it gets what a staff member without pii:read would see.
    return [{ recipient: spec, name: spec, lang: null, pii: false }];
  }
  const m = /^(user|team|department|dept|role|email):(.*)$/i.exec(spec);
  const kind = m ? m[1]!.toLowerCase() : isEmailAddress(spec) ? 'email' : 'user';
  const name = (m ? m[2]! : spec).trim();
  if (!name) return [failed(spec, `recipient "${spec}" names nobody`)];
  if (kind === 'email') {
    if (!isEmailAddress(name)) return [failed(spec, `"${name}" is not an e-mail address`)];
    // An address may still be a user's (accounts named by their e-mail): staff rules apply then.
    const user = (await dir.all()).find((u) => u.username === name || u.email === name);
    if (channel === 'email') return [user ? forUser(user, channel) : { recipient: name, name, lang: null, pii: true }];
    return user ? [forUser(user, channel)] : [failed(spec, `an e-mail address receives e-mail, not ${channel} notifications, and no user is named "${name}"`)];
  }
  const users = await dir.all();
  if (kind === 'user') {
    const user = users.find((u) => u.username === name);
    if (user) return [forUser(user, channel)];
    return [failed(spec, (await dir.isDeactivated(name)) ? `user "${name}" is deactivated` : `unknown recipient: no user named "${name}"${m ? '' : ' (for a group write team:…, department:… or role:…)'}`)];
  }
  const field = kind === 'team' ? 'teams' : kind === 'role' ? 'roles' : 'departments';
  const members = users.filter((u) => u[field].includes(name));
  const label = kind === 'dept' ? 'department' : kind;
  if (members.length === 0) return [failed(spec, `unknown recipient: no active user has ${label} "${name}"`)];
  return members.map((u) => forUser(u, channel));
}

/** Resolves every spec of `to`; one target per distinct recipient, failures included. */
export async function resolveRecipients(dir: UserDirectory, to: unknown, channel: Channel): Promise<Target[]> {
  const specs = recipientSpecs(to);
  if (specs.length === 0) return [failed('(none)', 'the notification names no recipient (to is empty)')];
  const out = new Map<string, Target>();
  for (const spec of specs) {
    for (const t of await resolveSpec(dir, spec, channel)) {
      const prev = out.get(t.recipient);
      // A user reached through a group and directly gets one notification; a success beats a failure.
      if (!prev || (prev.error && !t.error)) out.set(t.recipient, t);
    }
  }
  return [...out.values()];
}
