/**
 * The one way the UI talks to the server: JSON over `/api` with the bearer token of this browser
 * tab (sessionStorage: closing the tab logs out), `Accept-Language` in the UI's language, and the
 * server's error shape `{code, message, errors?}` as an ApiError. Uploads use XMLHttpRequest for
 * its upload progress events, which fetch does not offer.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type {
  instanceSchema,
  instanceSummarySchema,
  loginResponse,
  taskFormSchema,
  taskListResponse,
  taskSchema,
  userSchema,
  visitSchema,
} from '../../schemas/api.ts';
import type { attachmentSchema } from '../../schemas/attachments.ts';
import type { articleSchema, caseArticleSchema, searchResponse } from '../../schemas/knowledge.ts';
import type { inboxItemSchema, inboxResponse } from '../../schemas/notifications.ts';
import type { progressEntrySchema } from '../../schemas/progress.ts';
import { activeLang } from './i18n.tsx';

export type User = FromSchema<typeof userSchema>;
export type LoginResult = FromSchema<typeof loginResponse>;
export type Task = FromSchema<typeof taskSchema>;
export type TaskPage = FromSchema<typeof taskListResponse>;
export type TaskForm = FromSchema<typeof taskFormSchema>;
export type Instance = FromSchema<typeof instanceSchema>;
export type InstanceSummary = FromSchema<typeof instanceSummarySchema>;
export type Visit = FromSchema<typeof visitSchema>;
export type Attachment = FromSchema<typeof attachmentSchema>;
export type Article = FromSchema<typeof articleSchema>;
export type CaseArticle = FromSchema<typeof caseArticleSchema>;
export type SearchResult = FromSchema<typeof searchResponse>;
export type Notification = FromSchema<typeof inboxItemSchema>;
export type NotificationPage = FromSchema<typeof inboxResponse>;
export type ProgressEntry = FromSchema<typeof progressEntrySchema>;

/** `/api/instances/:id/sla` (the route declares no response schema; engine/usecases/sla.ts ClockView). */
export interface SlaClock {
  key: string;
  policy: string;
  state: string;
  workingTime: boolean;
  calendar: string | null;
  targetMs: number;
  elapsedMs: number;
  remainingMs: number;
  startedAt: number;
  dueAt: number | null;
  breachedAt: number | null;
  stoppedAt: number | null;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  requestId: string | null;
}

export interface Health {
  status: 'ok';
  clock?: 'system' | 'manual';
  now?: number;
}

export interface FieldError {
  path?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'loopdesk.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // without storage the session lasts as long as the page
  }
  memoryToken = token;
}

let memoryToken: string | null = null;
let unauthorized: (() => void) | undefined;

/** Called when the server answers 401 to a logged-in request (expired or revoked session). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', 'accept-language': activeLang() };
  const token = storedToken() ?? memoryToken;
  if (token) h.authorization = `Bearer ${token}`;
  if (json) h['content-type'] = 'application/json';
  return h;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: { code?: string; message?: string; errors?: FieldError[] } = {};
  try {
    body = await res.json();
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText, body.errors ?? []);
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const hadToken = Boolean(storedToken() ?? memoryToken);
  const res = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!res.ok) {
    const error = await errorOf(res);
    if (res.status === 401 && hadToken) unauthorized?.();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

/** A query string from the defined values (`?a=1&b=x`, or '' when none). */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Bytes of a protected resource (an attachment), for a preview or a download. */
export async function fetchBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  const res = await fetch(path, { headers: headers(false), signal });
  if (!res.ok) throw await errorOf(res);
  return res.blob();
}

export interface Upload<T> {
  done: Promise<T>;
  abort(): void;
}

/** POSTs one file as multipart `file`, reporting the fraction sent (0…1) as it goes. */
export function uploadFile<T>(path: string, file: File, onProgress: (fraction: number) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(headers(false))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: { code?: string; message?: string; errors?: FieldError[] } | undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as T);
      } else {
        if (xhr.status === 401) unauthorized?.();
        reject(new ApiError(xhr.status, body?.code ?? `HTTP_${xhr.status}`, body?.message ?? xhr.statusText, body?.errors ?? []));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'LD_NETWORK', 'network error'));
    xhr.onabort = () => reject(new ApiError(0, 'LD_ABORTED', 'upload cancelled'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
