/**
 * The designer's only way to the server: the documented HTTP API, with the signed-in user's token
 * and the UI language (the server answers messages in it). Errors keep the server's shape
 * `{code, message, errors?: [{path | elementId, message}]}` so screens can point at what failed.
 */
import type { Lang } from './i18n.ts';

export interface ErrorItem {
  path?: string;
  elementId?: string | null;
  message: string;
  code?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: ErrorItem[] = [],
    readonly method = '',
    readonly url = '',
  ) {
    super(message);
  }
}

export interface ProcessVersion {
  id?: string;
  key: string;
  version: number;
  status: 'draft' | 'pilot' | 'published' | 'retired';
  name?: string | null;
  deployedAt?: number;
  deployedBy?: string;
  publishedAt?: number | null;
  pilotTeams?: string[] | null;
  pilotUntil?: number | null;
}

export interface DeployResult extends ProcessVersion {
  created?: boolean;
  processes: ProcessVersion[];
  warnings?: ErrorItem[];
}

export interface FormSummary {
  key: string;
  version: number;
  status: 'draft' | 'published' | 'retired';
  title?: unknown;
  createdAt?: number;
  createdBy?: string;
  publishedAt?: number | null;
  created?: boolean;
}

export interface FieldUsageRow {
  version: number;
  field: string;
  filledCount: number;
  emptyCount: number;
  changedAfterFirstEntry: number;
  fillRate: number;
  lastFilledAt: number | null;
}

export interface ProcessDiff {
  added: string[];
  removed: string[];
  changed: { id: string; fields?: string[] }[];
  /** Sequence flows added / removed (the engine's graph keeps them apart from nodes). */
  flows?: { added: string[]; removed: string[] };
}

export interface FormDiff {
  added: string[];
  removed: string[];
  changed: ({ path: string; keywords?: string[] } | string)[];
}

export interface Feedback {
  id?: string;
  nodeId?: string | null;
  formKey?: string | null;
  text: string;
  author?: string;
  createdAt?: number;
}

export interface Named {
  key: string;
  name?: unknown;
  definition?: { name?: unknown };
}

export interface User {
  username: string;
  displayName?: string | null;
  roles: string[];
  teams?: string[];
}

const TOKEN_KEY = 'loopdesk.token';

export class Api {
  token: string | null;
  lang: Lang = 'zh-CN';
  /** Every request that failed, for the status line and the tests. */
  readonly failures: { method: string; url: string; status: number; code: string }[] = [];

  constructor(private readonly base = '') {
    this.token = readToken();
  }

  async request<T>(method: string, url: string, body?: unknown, contentType?: string): Promise<T> {
    const headers: Record<string, string> = { 'accept-language': this.lang, accept: 'application/json, application/xml;q=0.9' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = contentType ?? 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(this.base + url, { method, headers, body: payload });
    } catch (e) {
      this.failures.push({ method, url, status: 0, code: 'NETWORK' });
      throw new ApiError(0, 'NETWORK', (e as Error).message, [], method, url);
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // leave as text
      }
    }
    if (!res.ok) {
      const err = (typeof parsed === 'object' && parsed ? parsed : {}) as { code?: string; message?: string; errors?: ErrorItem[] };
      this.failures.push({ method, url, status: res.status, code: err.code ?? String(res.status) });
      if (res.status === 401 && url !== '/api/auth/login') this.setToken(null);
      throw new ApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? (text || res.statusText), err.errors ?? [], method, url);
    }
    return parsed as T;
  }

  setToken(token: string | null) {
    this.token = token;
    try {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    } catch {
      // private mode: the token lives for this page only
    }
  }

  async login(username: string, password: string): Promise<User> {
    const r = await this.request<{ token: string; user: User }>('POST', '/api/auth/login', { username, password });
    this.setToken(r.token);
    return r.user;
  }

  me = () => this.request<User>('GET', '/api/auth/me');
  logout = async () => {
    await this.request('POST', '/api/auth/logout').catch(() => undefined);
    this.setToken(null);
  };

  // Processes
  processes = (key?: string) => this.request<ProcessVersion[]>('GET', `/api/processes${key ? `?key=${encodeURIComponent(key)}` : ''}`);
  processXml = (key: string, version: number) => this.request<string>('GET', `/api/processes/${enc(key)}/versions/${version}/xml`);
  deploy = (xml: string, publish: boolean) => this.request<DeployResult>('POST', `/api/processes?publish=${publish}`, xml, 'application/xml');
  publishProcess = (key: string, version: number) => this.request<ProcessVersion>('POST', `/api/processes/${enc(key)}/versions/${version}/publish`);
  pilot = (key: string, version: number, teams: string[], until: string) =>
    this.request<ProcessVersion>('POST', `/api/processes/${enc(key)}/versions/${version}/pilot`, { teams, until });
  rollout = (key: string, version: number) => this.request<ProcessVersion>('POST', `/api/processes/${enc(key)}/versions/${version}/rollout`, {});
  rollback = (key: string) => this.request<unknown>('POST', `/api/processes/${enc(key)}/rollback`, {});
  processDiff = (key: string, from: number, to: number) => this.request<ProcessDiff>('GET', `/api/processes/${enc(key)}/diff?from=${from}&to=${to}`);
  feedback = (key: string, version: number) => this.request<Feedback[]>('GET', `/api/processes/${enc(key)}/versions/${version}/feedback`);
  addFeedback = (key: string, version: number, item: Feedback) =>
    this.request<Feedback>('POST', `/api/processes/${enc(key)}/versions/${version}/feedback`, item);

  // Catalogues the Loopdesk properties offer
  slaPolicies = () => this.request<Named[]>('GET', '/api/sla-policies');
  calendars = () => this.request<Named[]>('GET', '/api/calendars');

  // Forms
  forms = (key?: string) => this.request<FormSummary[]>('GET', `/api/forms${key ? `?key=${encodeURIComponent(key)}` : ''}`);
  form = (key: string, version: number) => this.request<FormSummary & { definition: Record<string, unknown> }>('GET', `/api/forms/${enc(key)}/versions/${version}`);
  saveForm = (definition: unknown) => this.request<FormSummary>('POST', '/api/forms', definition);
  publishForm = (key: string, version: number) => this.request<FormSummary>('POST', `/api/forms/${enc(key)}/versions/${version}/publish`);
  validateForm = (key: string, version: number, data: unknown) =>
    this.request<{ valid: boolean; errors: ErrorItem[]; reminders: ErrorItem[] }>('POST', `/api/forms/${enc(key)}/versions/${version}/validate`, { data });
  fieldUsage = (key: string) => this.request<FieldUsageRow[]>('GET', `/api/forms/${enc(key)}/field-usage`);
  formDiff = (key: string, from: number, to: number) => this.request<FormDiff>('GET', `/api/forms/${enc(key)}/diff?from=${from}&to=${to}`);
  retireField = (key: string, version: number, field: string) =>
    this.request<FormSummary>('POST', `/api/forms/${enc(key)}/versions/${version}/retire-field`, { field });
}

const enc = encodeURIComponent;

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** A one-line description of a failure, naming the call when the server has no such route yet. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const where = e.status === 404 && e.code !== 'LD_NOT_FOUND' ? ` (${e.method} ${e.url})` : '';
    return `${e.code}: ${e.message}${where}`;
  }
  return e instanceof Error ? e.message : String(e);
}
