/**
 * The "compare version A with version B" bar shared by the form and process version lists: two
 * version pickers and a compare button (plus whatever the caller adds after it).
 */
import type { ReactNode } from 'react';

export type PickedVersion = number | '';

interface Props {
  versions: readonly { version: number }[];
  from: PickedVersion;
  to: PickedVersion;
  onFrom: (v: PickedVersion) => void;
  onTo: (v: PickedVersion) => void;
  onCompare: () => void;
  t: (key: string) => string;
  /** Prefix of the test ids: `${prefix}-from`, `${prefix}-to`, `${prefix}-run`. */
  testIdPrefix: string;
  children?: ReactNode;
}

function VersionPicker({ label, value, onChange, versions, testId }: {
  label: string;
  value: PickedVersion;
  onChange: (v: PickedVersion) => void;
  versions: readonly { version: number }[];
  testId: string;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value === '' ? '' : Number(e.target.value))} data-testid={testId}>
        <option value="">–</option>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );
}

export function VersionCompare({ versions, from, to, onFrom, onTo, onCompare, t, testIdPrefix, children }: Props) {
  return (
    <div className="ld-compare">
      <VersionPicker label={t('compareFrom')} value={from} onChange={onFrom} versions={versions} testId={`${testIdPrefix}-from`} />
      <VersionPicker label={t('compareTo')} value={to} onChange={onTo} versions={versions} testId={`${testIdPrefix}-to`} />
      <button type="button" onClick={onCompare} disabled={from === '' || to === ''} data-testid={`${testIdPrefix}-run`}>
        {t('compare')}
      </button>
      {children}
    </div>
  );
}
