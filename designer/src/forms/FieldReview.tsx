/**
 * The quarterly field review (R38): how often each field of each version is filled, rarely used
 * ones marked, and "retire field" — the server makes a new draft without it (with a drop migration;
 * data already stored stays readable with its own version).
 */
import { useCallback, useEffect, useState } from 'react';
import { type Api, type FieldUsageRow, describeError } from '../shared/api.ts';
import { type Lang, formatTime, translator } from '../shared/i18n.ts';
import type { NoticeState } from '../shared/Notice.tsx';

const RARE = 0.1;

interface Props {
  api: Api;
  lang: Lang;
  formKey: string;
  latestVersion: number | null;
  refresh: number;
  /** Fields of the latest version, listed even before anything was filled in. */
  latestFields: string[];
  onRetired(version: number): void;
  onNotice(n: NoticeState): void;
}

export function FieldReview({ api, lang, formKey, latestVersion, refresh, latestFields, onRetired, onNotice }: Props) {
  const t = translator(lang);
  const [rows, setRows] = useState<FieldUsageRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setRows(await api.fieldUsage(formKey));
      setError(null);
    } catch (e) {
      setRows(null);
      setError(describeError(e));
    }
  }, [api, formKey]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh asks for a fresh read after a save or a retirement
  useEffect(() => {
    load();
  }, [load, refresh]);

  const listed = new Set((rows ?? []).filter((r) => r.version === latestVersion).map((r) => r.field));
  const unused: FieldUsageRow[] =
    latestVersion === null
      ? []
      : latestFields
          .filter((f) => !listed.has(f))
          .map((field) => ({ version: latestVersion, field, filledCount: 0, emptyCount: 0, changedAfterFirstEntry: 0, fillRate: 0, lastFilledAt: null }));
  const sorted = [...(rows ?? []), ...unused].sort((a, b) => b.version - a.version || a.fillRate - b.fillRate || a.field.localeCompare(b.field));
  return (
    <div className="ld-review" data-testid="field-review">
      <p className="ld-muted">{t('reviewHelp')}</p>
      {error ? <p className="ld-error-text">{t('failedCall', { message: error })}</p> : null}
      {rows && rows.length === 0 ? <p>{t('reviewNone')}</p> : null}
      {sorted.length > 0 ? (
        <table className="ld-table">
          <thead>
            <tr>
              <th>{t('reviewField')}</th>
              <th>{t('reviewVersion')}</th>
              <th>{t('reviewFilled')}</th>
              <th>{t('reviewEmpty')}</th>
              <th>{t('reviewRate')}</th>
              <th>{t('reviewChanged')}</th>
              <th>{t('reviewLast')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={`${r.version}${r.field}`} className={r.fillRate < RARE ? 'ld-rare' : ''} data-field={r.field} data-version={r.version}>
                <td>
                  <code>{r.field}</code> {r.fillRate < RARE ? <span className="ld-tag">{t('reviewRare')}</span> : null}
                </td>
                <td>v{r.version}</td>
                <td>{r.filledCount}</td>
                <td>{r.emptyCount}</td>
                <td>{Math.round(r.fillRate * 100)}%</td>
                <td>{r.changedAfterFirstEntry}</td>
                <td>{formatTime(r.lastFilledAt, lang)}</td>
                <td>
                  {latestVersion !== null && r.version === latestVersion && /^\/[^/]+$/.test(r.field) ? (
                    <button
                      type="button"
                      onClick={async () => {
                        try {
                          const created = await api.retireField(formKey, latestVersion, r.field);
                          onNotice({ kind: 'ok', text: t('retired', { field: r.field, version: created.version }) });
                          onRetired(created.version);
                        } catch (e) {
                          onNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
                        }
                      }}
                    >
                      {t('retire')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
