/**
 * Upload settings from the environment: LOOPDESK_MAX_UPLOAD_MB (50; fractions allowed) and the
 * files directory of engine/config.ts (LOOPDESK_FILES_DIR, default `files/` beside the SQLite file).
 * A malformed value stops the start rather than every upload.
 */
import { loadConfig } from '../config.ts';

export interface AttachmentSettings {
  filesDir: string;
  maxBytes: number;
}

export const DEFAULT_MAX_UPLOAD_MB = 50;

export function attachmentSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AttachmentSettings {
  const raw = env.LOOPDESK_MAX_UPLOAD_MB;
  const mb = raw === undefined || raw === '' ? DEFAULT_MAX_UPLOAD_MB : Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`LOOPDESK_MAX_UPLOAD_MB must be a positive number of megabytes, got ${raw}`);
  return { filesDir: loadConfig(env, cwd).filesDir, maxBytes: Math.floor(mb * 1024 * 1024) };
}
