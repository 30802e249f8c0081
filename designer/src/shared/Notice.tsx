import { withKeys } from './keys.ts';

/** One status line: what the last action did, with optional details (warnings, the server's message). */
export interface NoticeState {
  kind: 'ok' | 'info' | 'warning' | 'error';
  text: string;
  details?: string[];
}

export function Notice({ notice, onClose }: { notice: NoticeState | null; onClose?: () => void }) {
  if (!notice) return null;
  return (
    <div className={`ld-notice ld-notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-kind={notice.kind}>
      <span>{notice.text}</span>
      {notice.details && notice.details.length > 0 ? (
        <details>
          <summary>…</summary>
          <ul>
            {withKeys(notice.details, (d) => d).map(({ key, item }) => (
              <li key={key}>{item}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {onClose ? (
        <button type="button" className="ld-notice-close" aria-label="×" onClick={onClose}>
          ×
        </button>
      ) : null}
    </div>
  );
}
