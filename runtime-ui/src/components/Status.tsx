/** Loading and error lines, announced to screen readers. */
import { ApiError } from '../api.ts';
import { useI18n } from '../i18n.tsx';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t('loading')}
    </p>
  );
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? error.message : `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const offline = error instanceof TypeError;
  return (
    <div className="note note-error" role="alert">
      <span>{offline ? t('error.offline') : t('error.generic', { message: errorText(error) })}</span>
      {onRetry ? (
        <button type="button" className="btn-link" onClick={onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}
