/**
 * Settings of one field: name, type, titles in both languages, required, options of a list, the
 * personal-data flag, who may read and edit it, and its rules — "show only when <field> equals
 * <value>" and "required when <field> equals <value>" (R0a, R32), both naming a field of the same
 * section.
 */
import type { Translate } from '../shared/i18n.ts';
import { withKeys } from '../shared/keys.ts';
import { type Condition, FIELD_KINDS, type FieldKind, type FieldModel, ROLES, type RuleValue } from './model.ts';

interface Props {
  field: FieldModel;
  siblings: FieldModel[];
  t: Translate;
  onPatch(patch: Partial<FieldModel>): void;
}

export function FieldEditor({ field: f, siblings, t, onPatch }: Props) {
  const others = siblings.filter((s) => s.uid !== f.uid && s.kind !== 'section' && s.kind !== 'custom');
  const setKind = (kind: FieldKind) => {
    const patch: Partial<FieldModel> = { kind };
    const { 'ui:widget': _widget, ...ui } = f.ui;
    patch.ui = ui;
    if (kind === 'enum' && f.options.length === 0) patch.options = [{ value: 'a', zh: '选项一', en: 'Option 1' }];
    onPatch(patch);
  };
  return (
    <div className="ld-field-editor" data-testid="field-editor" data-field-name={f.name}>
      <div className="ld-grid">
        <label>
          {t('fieldName')}
          <input name="fieldName" value={f.name} onChange={(e) => onPatch({ name: e.target.value.trim() })} title={t('fieldNameHelp')} pattern="[A-Za-z][A-Za-z0-9_]*" />
        </label>
        {f.kind === 'custom' ? (
          <label>
            {t('fieldType')}
            <input value={t('customField')} readOnly />
          </label>
        ) : (
          <label>
            {t('fieldType')}
            <select name="fieldKind" value={f.kind} onChange={(e) => setKind(e.target.value as FieldKind)}>
              {FIELD_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`kind_${k}`)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('titleZh')}
          <input name="titleZh" value={f.titleZh} onChange={(e) => onPatch({ titleZh: e.target.value })} />
        </label>
        <label>
          {t('titleEn')}
          <input name="titleEn" value={f.titleEn} onChange={(e) => onPatch({ titleEn: e.target.value })} />
        </label>
      </div>
      <div className="ld-checks">
        <label>
          <input type="checkbox" name="required" checked={f.required} onChange={(e) => onPatch({ required: e.target.checked })} />{' '}
          {f.showIf ? t('requiredWhenShown') : t('required')}
        </label>
        {f.kind !== 'section' ? (
          <label>
            <input
              type="checkbox"
              name="personal"
              checked={!!f.personal}
              onChange={(e) => onPatch({ personal: e.target.checked ? (f.kind === 'phone' ? 'phone' : f.kind === 'email' ? 'email' : true) : false })}
            />{' '}
            {t('personal')}
          </label>
        ) : null}
      </div>
      <RoleChecks label={t('readRoles')} name="read" value={f.readRoles} t={t} onChange={(readRoles) => onPatch({ readRoles })} />
      <RoleChecks label={t('writeRoles')} name="write" value={f.writeRoles} t={t} onChange={(writeRoles) => onPatch({ writeRoles })} />

      {f.kind === 'enum' ? <OptionsEditor field={f} t={t} onPatch={onPatch} /> : null}

      {f.kind !== 'section' ? (
        <fieldset className="ld-rules">
          <legend>{t('rules')}</legend>
          <RuleEditor
            testId="rule-show-if"
            label={t('showIf')}
            value={f.showIf}
            candidates={others}
            t={t}
            onChange={(showIf) => onPatch({ showIf, ...(showIf ? { requiredIf: null } : {}) })}
          />
          {!f.showIf ? (
            <RuleEditor testId="rule-required-if" label={t('requiredIf')} value={f.requiredIf} candidates={others} t={t} onChange={(requiredIf) => onPatch({ requiredIf })} />
          ) : null}
          <p className="ld-muted">{t('ruleOnlySiblings')}</p>
        </fieldset>
      ) : null}

      {f.kind === 'custom' ? <pre className="ld-json-preview">{JSON.stringify(f.extra, null, 2)}</pre> : null}
    </div>
  );
}

function RoleChecks({ label, name, value, t, onChange }: { label: string; name: string; value: string[]; t: Translate; onChange(v: string[]): void }) {
  return (
    <fieldset className="ld-roles">
      <legend>{label}</legend>
      {ROLES.map((role) => (
        <label key={role}>
          <input
            type="checkbox"
            name={`${name}-${role}`}
            checked={value.includes(role)}
            onChange={(e) => onChange(e.target.checked ? [...value, role] : value.filter((r) => r !== role))}
          />{' '}
          {t(`role_${role}`)}
        </label>
      ))}
    </fieldset>
  );
}

function OptionsEditor({ field: f, t, onPatch }: { field: FieldModel; t: Translate; onPatch(p: Partial<FieldModel>): void }) {
  const set = (i: number, key: 'value' | 'zh' | 'en', v: string) => onPatch({ options: f.options.map((o, j) => (j === i ? { ...o, [key]: v } : o)), enumStyle: 'oneOf' });
  const radio = f.ui['ui:widget'] === 'radio';
  return (
    <fieldset className="ld-options" data-testid="options">
      <legend>{t('options')}</legend>
      <table>
        <thead>
          <tr>
            <th>{t('optionValue')}</th>
            <th>{t('optionZh')}</th>
            <th>{t('optionEn')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {f.options.map((o, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the row is the option's place; keyed by value, typing a value would remount it
            <tr key={i}>
              <td>
                <input aria-label={`${t('optionValue')} ${i + 1}`} value={o.value} onChange={(e) => set(i, 'value', e.target.value)} />
              </td>
              <td>
                <input aria-label={`${t('optionZh')} ${i + 1}`} value={o.zh} onChange={(e) => set(i, 'zh', e.target.value)} />
              </td>
              <td>
                <input aria-label={`${t('optionEn')} ${i + 1}`} value={o.en} onChange={(e) => set(i, 'en', e.target.value)} />
              </td>
              <td>
                <button type="button" aria-label={`${t('remove')} ${o.value}`} onClick={() => onPatch({ options: f.options.filter((_, j) => j !== i) })}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" data-testid="add-option" onClick={() => onPatch({ options: [...f.options, { value: `option${f.options.length + 1}`, zh: '', en: '' }], enumStyle: 'oneOf' })}>
        + {t('addOption')}
      </button>{' '}
      <label>
        <input
          type="checkbox"
          checked={radio}
          onChange={(e) => {
            const { 'ui:widget': _w, ...ui } = f.ui;
            onPatch({ ui: e.target.checked ? { ...ui, 'ui:widget': 'radio' } : ui });
          }}
        />{' '}
        radio
      </label>
    </fieldset>
  );
}

/** Typed value for the condition field: a list option, true/false, a number, or text. */
function coerce(field: FieldModel | undefined, raw: string): RuleValue {
  if (!field) return raw;
  if (field.kind === 'boolean') return raw === 'true';
  if ((field.kind === 'number' || field.kind === 'integer') && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  return raw;
}

function RuleEditor({
  label,
  value,
  candidates,
  t,
  onChange,
  testId,
}: {
  label: string;
  value: Condition | null;
  candidates: FieldModel[];
  t: Translate;
  onChange(c: Condition | null): void;
  testId: string;
}) {
  const target = candidates.find((c) => c.name === value?.field);
  const defaultValue = (f: FieldModel | undefined): RuleValue => (f?.kind === 'enum' ? (f.options[0]?.value ?? '') : f?.kind === 'boolean' ? true : '');
  return (
    <div className="ld-rule" data-testid={testId}>
      <span>{label}</span>
      <span>{t('ruleWhen')}</span>
      <select
        name={`${testId}-field`}
        value={value?.field ?? ''}
        onChange={(e) => {
          const next = candidates.find((c) => c.name === e.target.value);
          onChange(next ? { field: next.name, equals: defaultValue(next) } : null);
        }}
      >
        <option value="">{t('ruleNone')}</option>
        {candidates.map((c) => (
          <option key={c.uid} value={c.name}>
            {c.titleZh || c.titleEn ? `${c.titleZh || c.titleEn} (${c.name})` : c.name}
          </option>
        ))}
      </select>
      {value ? (
        <>
          <span>{t('ruleEquals')}</span>
          {target?.kind === 'enum' ? (
            <select name={`${testId}-value`} value={String(value.equals)} onChange={(e) => onChange({ ...value, equals: e.target.value })}>
              {withKeys(target.options, (o) => o.value).map(({ key, item: o }) => (
                <option key={key} value={o.value}>
                  {o.zh || o.en ? `${o.zh || o.en} (${o.value})` : o.value}
                </option>
              ))}
            </select>
          ) : target?.kind === 'boolean' ? (
            <select name={`${testId}-value`} value={String(value.equals)} onChange={(e) => onChange({ ...value, equals: e.target.value === 'true' })}>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input name={`${testId}-value`} value={String(value.equals)} onChange={(e) => onChange({ ...value, equals: coerce(target, e.target.value) })} />
          )}
        </>
      ) : null}
    </div>
  );
}
