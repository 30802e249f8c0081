/**
 * The form designer (R0a, R31–R33, R38): build a form without writing JSON — fields and sections,
 * types, titles in both languages, required, options, personal data, roles, show-if / required-if
 * rules — with a live preview in LoopdeskForm (the runtime's renderer and validation), the
 * definition as editable JSON, versions with a diff before publishing, and the field review.
 * Saving is a new draft version; the server's 422 pointers are shown on the fields they name.
 */
import type Form from '@rjsf/core';
import { Component, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { LoopdeskForm } from '../../../runtime-ui/src/forms/LoopdeskForm.tsx';
import type { PointedText } from '../../../runtime-ui/src/forms/pointer.ts';
import type { SchemaNode } from '../../../engine/forms/types.ts';
import { type Api, ApiError, type ErrorItem, type FormSummary, describeError } from '../shared/api.ts';
import { type Lang, textIn, translator } from '../shared/i18n.ts';
import { withKeys } from '../shared/keys.ts';
import { Notice, type NoticeState } from '../shared/Notice.tsx';
import { FieldEditor } from './FieldEditor.tsx';
import { FieldReview } from './FieldReview.tsx';
import { FieldTree } from './FieldTree.tsx';
import { FormVersions } from './FormVersions.tsx';
import {
  type FieldModel,
  type FormModel,
  type Json,
  compileForm,
  emptyForm,
  fieldPointerOf,
  findField,
  freeName,
  localProblems,
  newField,
  parseForm,
  uidAtPointer,
  updateField,
  walkFields,
} from './model.ts';

type Tab = 'design' | 'json' | 'versions' | 'review';

export interface FormDesignerHandle {
  definition(): Json;
  model(): FormModel;
  loaded(): { key: string; version: number } | null;
}

interface Props {
  api: Api;
  lang: Lang;
  onFormsChanged(): void;
  register?: (handle: FormDesignerHandle) => void;
}

/** What is sent to the server: migrations only against the same form's previous version. */
function definitionFor(model: FormModel, loaded: { key: string } | null): Json {
  return compileForm(model.key === loaded?.key ? model : { ...model, migrations: model.migrations ?? [] });
}

/** After a save the saved version is the new base: renames and removals count from it. */
function rebase(model: FormModel): FormModel {
  const paths: string[] = [];
  const mark = (fields: FieldModel[], base: string): FieldModel[] =>
    fields.map((f) => {
      const path = `${base}/${f.name}`;
      paths.push(path);
      return { ...f, origin: path, children: f.kind === 'section' ? mark(f.children, path) : f.children };
    });
  const fields = mark(model.fields, '');
  return { ...model, fields, baseFields: paths, migrations: null };
}

function r31Template(): FormModel {
  const model = emptyForm('optimisation-draft');
  model.titleZh = '流程优化表';
  model.titleEn = 'Process optimisation';
  const section = (name: string, zh: string, en: string, children: FieldModel[]) => ({ ...newField(name, 'section'), titleZh: zh, titleEn: en, children });
  const field = (name: string, kind: FieldModel['kind'], zh: string, en: string) => ({ ...newField(name, kind), titleZh: zh, titleEn: en });
  model.fields = [
    section('baseInfo', '基础信息区', 'Base information', [field('formNo', 'text', '表单编号', 'Form number'), field('filledBy', 'text', '填表人', 'Filled in by')]),
    section('processRecord', '流程记录区', 'Process records', [field('node', 'text', '节点', 'Node'), field('owner', 'text', '责任人', 'Owner'), field('result', 'textarea', '结果', 'Result')]),
    section('suggestions', '优化建议区', 'Optimisation suggestions', [field('bottleneck', 'textarea', '流程卡点', 'Bottleneck'), field('removableStep', 'text', '可简化环节', 'Step that could go')]),
  ];
  return model;
}

class PreviewBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: string | null; key: string }> {
  override state = { error: null as string | null, key: '' };
  static getDerivedStateFromError(e: Error) {
    return { error: e.message };
  }
  static getDerivedStateFromProps(props: { resetKey: string }, state: { key: string; error: string | null }) {
    return props.resetKey !== state.key ? { key: props.resetKey, error: null } : null;
  }
  override render() {
    return this.state.error ? <p className="ld-error-text">{this.state.error}</p> : this.props.children;
  }
}

export function FormDesigner({ api, lang, onFormsChanged, register }: Props) {
  const t = useMemo(() => translator(lang), [lang]);
  const [forms, setForms] = useState<FormSummary[]>([]);
  const [model, setModel] = useState<FormModel>(() => emptyForm());
  const [selected, setSelected] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<{ key: string; version: number } | null>(null);
  const [savedJson, setSavedJson] = useState<string | null>(null);
  const [serverErrors, setServerErrors] = useState<ErrorItem[]>([]);
  const [tab, setTab] = useState<Tab>('design');
  const [jsonText, setJsonText] = useState('');
  const [jsonDirty, setJsonDirty] = useState(false);
  const [notice, setNotice] = useState<NoticeState | null>(null);
  const [previewLang, setPreviewLang] = useState<Lang>(lang);
  const [previewData, setPreviewData] = useState<Record<string, unknown>>({});
  const [previewRun, setPreviewRun] = useState(0);
  const [previewResult, setPreviewResult] = useState<{ errors: PointedText[] } | null>(null);
  const [serverCheck, setServerCheck] = useState<{ version: number; errors: PointedText[] } | null>(null);
  const [reviewRefresh, setReviewRefresh] = useState(0);
  const dataRef = useRef<Record<string, unknown>>({});
  const formRef = useRef<Form>(null);
  const modelRef = useRef(model);
  modelRef.current = model;
  const loadedRef = useRef(loaded);
  loadedRef.current = loaded;

  const definition = useMemo(() => definitionFor(model, loaded), [model, loaded]);
  const definitionJson = useMemo(() => JSON.stringify(definition), [definition]);
  const dirty = savedJson !== definitionJson || jsonDirty;
  const schema = definition.schema as SchemaNode;
  const uiSchema = definition.uiSchema as Record<string, unknown>;
  const previewKey = useMemo(() => JSON.stringify([schema, uiSchema]), [schema, uiSchema]);

  useEffect(() => setPreviewLang(lang), [lang]);
  useEffect(() => {
    if (!jsonDirty) setJsonText(JSON.stringify(definition, null, 2));
  }, [definition, jsonDirty]);

  const loadForms = useCallback(async () => {
    try {
      setForms(await api.forms());
    } catch (e) {
      setNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
    }
  }, [api, t]);
  useEffect(() => {
    loadForms();
  }, [loadForms]);

  const reset = useCallback((next: FormModel, from: { key: string; version: number } | null) => {
    setModel(next);
    setLoaded(from);
    setSavedJson(from ? JSON.stringify(definitionFor(next, from)) : null);
    setSelected(next.fields[0]?.uid ?? null);
    setServerErrors([]);
    setServerCheck(null);
    setPreviewResult(null);
    setPreviewData({});
    dataRef.current = {};
    setJsonDirty(false);
  }, []);

  const openForm = useCallback(
    async (key: string, version: number) => {
      try {
        const stored = await api.form(key, version);
        reset(parseForm(stored.definition), { key, version });
        setNotice({ kind: 'ok', text: t('formOpened', { key, version }) });
      } catch (e) {
        setNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
      }
    },
    [api, t, reset],
  );

  const patchModel = (patch: Partial<FormModel>) => setModel((m) => ({ ...m, ...patch }));
  const setFields = (fields: FieldModel[]) => setModel((m) => ({ ...m, fields }));

  const patchField = (uid: string, patch: Partial<FieldModel>) => {
    setModel((m) => {
      const found = findField(m.fields, uid);
      let fields = updateField(m.fields, uid, patch);
      // Rules name their field: a rename carries over to the siblings' rules.
      if (found && patch.name !== undefined && patch.name !== found.field.name) {
        const from = found.field.name;
        for (const s of found.siblings) {
          const rename = (c: FieldModel['showIf']) => (c && c.field === from ? { ...c, field: patch.name as string } : c);
          if (s.showIf?.field === from || s.requiredIf?.field === from) fields = updateField(fields, s.uid, { showIf: rename(s.showIf), requiredIf: rename(s.requiredIf) });
        }
      }
      return { ...m, fields };
    });
  };

  const addField = (intoUid: string | null, kind: 'field' | 'section') => {
    const siblings = intoUid ? (findField(model.fields, intoUid)?.field.children ?? []) : model.fields;
    const field = newField(freeName(siblings, kind === 'section' ? 'section' : 'field'), kind === 'section' ? 'section' : 'text');
    const fields = intoUid ? updateField(model.fields, intoUid, { children: [...siblings, field] }) : [...model.fields, field];
    setFields(fields);
    setSelected(field.uid);
    setTab('design');
  };

  const save = async () => {
    setServerErrors([]);
    const local = localProblems(model.fields);
    if (local.length > 0) {
      setSelected(local[0].uid);
      setNotice({ kind: 'error', text: t('saveFailed', { n: local.length }), details: local.map((p) => p.message) });
      return;
    }
    let def = definition;
    if (jsonDirty) {
      try {
        def = JSON.parse(jsonText) as Json;
      } catch (e) {
        setNotice({ kind: 'error', text: t('jsonInvalid', { message: (e as Error).message }) });
        return;
      }
    }
    try {
      const saved = await api.saveForm(def);
      const next = jsonDirty ? parseForm(def) : model;
      const rebased = rebase(next);
      setModel(rebased);
      setJsonDirty(false);
      const from = { key: saved.key, version: saved.version };
      setLoaded(from);
      setSavedJson(JSON.stringify(definitionFor(rebased, from)));
      setServerCheck(null);
      setNotice({ kind: 'ok', text: t(saved.created === false ? 'savedSame' : 'saved', { key: saved.key, version: saved.version }) });
      loadForms();
      setReviewRefresh((n) => n + 1);
    } catch (e) {
      if (e instanceof ApiError && e.errors.length > 0) {
        setServerErrors(e.errors);
        setNotice({ kind: 'error', text: t('saveFailed', { n: e.errors.length }), details: [`${e.code}: ${e.message}`] });
        const first = e.errors.map((x) => fieldPointerOf(x.path ?? '')).find(Boolean);
        const uid = first ? uidAtPointer(model.fields, first) : null;
        if (uid) setSelected(uid);
      } else setNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
    }
  };

  const applyJson = () => {
    try {
      const def = JSON.parse(jsonText) as Json;
      const next = parseForm(def, model.key === def.key ? model.baseFields : undefined);
      setModel(next);
      setSelected(next.fields[0]?.uid ?? null);
      setJsonDirty(false);
      setNotice({ kind: 'ok', text: t('jsonApplied') });
    } catch (e) {
      setNotice({ kind: 'error', text: t('jsonInvalid', { message: (e as Error).message }) });
    }
  };

  const checkOnServer = async () => {
    if (!loaded || dirty) {
      setNotice({ kind: 'warning', text: t('serverCheckNeedsSave') });
      return;
    }
    try {
      const result = await api.validateForm(loaded.key, loaded.version, dataRef.current);
      setServerCheck({ version: loaded.version, errors: result.errors.map((e) => ({ path: e.path ?? '', message: e.message })) });
    } catch (e) {
      setNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
    }
  };

  useEffect(() => {
    register?.({ definition: () => definitionFor(modelRef.current, loadedRef.current), model: () => modelRef.current, loaded: () => loadedRef.current });
  }, [register]);

  const problemUids = useMemo(() => {
    const set = new Set(localProblems(model.fields).map((p) => p.uid));
    for (const e of serverErrors) {
      const pointer = fieldPointerOf(e.path ?? '');
      const uid = pointer ? uidAtPointer(model.fields, pointer) : null;
      if (uid) set.add(uid);
    }
    return set;
  }, [model.fields, serverErrors]);

  const current = selected ? findField(model.fields, selected) : null;
  const byKey = new Map<string, FormSummary[]>();
  for (const f of forms) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f]);
  const versionsOfKey = byKey.get(model.key) ?? [];
  const latestVersion = versionsOfKey.reduce<number | null>((max, v) => (max === null || v.version > max ? v.version : max), null);
  const leafPaths: string[] = [];
  if (loaded && loaded.version === latestVersion) walkFields(model.fields, (f, path) => f.kind !== 'section' && leafPaths.push(path));

  return (
    <div className="ld-forms">
      <aside className="ld-form-list" aria-label={t('forms')} data-testid="form-list">
        <div className="ld-form-list-actions">
          <button type="button" data-testid="new-form" onClick={() => reset(emptyForm(freeKey(byKey)), null)}>
            + {t('newForm')}
          </button>
          <button type="button" onClick={() => reset(r31Template(), null)}>
            {t('r31Template')}
          </button>
        </div>
        <ul>
          {[...byKey.entries()].map(([key, versions]) => {
            const latest = versions.reduce((a, b) => (b.version > a.version ? b : a));
            return (
              <li key={key} className={model.key === key ? 'ld-current' : ''}>
                <button type="button" className="ld-link" data-form-key={key} onClick={() => openForm(key, latest.version)}>
                  {textIn(latest.title, lang) || key}
                </button>
                <div className="ld-muted">
                  <code>{key}</code> v{latest.version} · {t(`status_${latest.status}`)}
                </div>
              </li>
            );
          })}
        </ul>
      </aside>

      <section className="ld-form-editor">
        <div className="ld-form-head">
          <label>
            {t('formKey')}
            <input name="formKey" value={model.key} onChange={(e) => patchModel({ key: e.target.value.trim() })} />
          </label>
          <label>
            {t('formTitleZh')}
            <input name="formTitleZh" value={model.titleZh} onChange={(e) => patchModel({ titleZh: e.target.value })} />
          </label>
          <label>
            {t('formTitleEn')}
            <input name="formTitleEn" value={model.titleEn} onChange={(e) => patchModel({ titleEn: e.target.value })} />
          </label>
          <div className="ld-form-head-actions">
            <span className="ld-muted" data-testid="form-state">
              {loaded ? `${loaded.key} v${loaded.version}` : t('unsaved')}
              {dirty ? ` · ${t('unsavedChanges')}` : ''}
            </span>
            <button type="button" className="ld-primary" data-testid="save-form" onClick={save}>
              {t('save')}
            </button>
          </div>
        </div>
        <Notice notice={notice} onClose={() => setNotice(null)} />
        {serverErrors.length > 0 ? (
          <div className="ld-server-errors" role="alert" data-testid="form-errors">
            <strong>{t('errorsFromServer')}</strong>
            <ul>
              {withKeys(serverErrors, (e) => `${e.path}:${e.message}`).map(({ key, item: e }) => {
                const pointer = fieldPointerOf(e.path ?? '');
                const uid = pointer ? uidAtPointer(model.fields, pointer) : null;
                return (
                  <li key={key} data-path={e.path}>
                    {uid ? (
                      <button
                        type="button"
                        className="ld-link"
                        onClick={() => {
                          setSelected(uid);
                          setTab('design');
                        }}
                      >
                        {e.path}
                      </button>
                    ) : (
                      <code>{e.path}</code>
                    )}{' '}
                    {e.message}
                  </li>
                );
              })}
            </ul>
          </div>
        ) : null}
        <div className="ld-tabs" role="tablist">
          {(['design', 'json', 'versions', 'review'] as Tab[]).map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} className={tab === k ? 'ld-tab-on' : ''} data-testid={`form-tab-${k}`} onClick={() => setTab(k)}>
              {t(`tab${k[0].toUpperCase()}${k.slice(1)}`)}
            </button>
          ))}
        </div>
        {tab === 'design' ? (
          <div className="ld-design">
            <FieldTree fields={model.fields} selected={selected} problems={problemUids} t={t} onSelect={setSelected} onChange={setFields} onAdd={addField} />
            <div className="ld-design-editor">
              {current ? (
                <FieldEditor field={current.field} siblings={current.siblings} t={t} onPatch={(patch) => patchField(current.field.uid, patch)} />
              ) : (
                <p className="ld-muted">{t('selectField')}</p>
              )}
            </div>
          </div>
        ) : null}
        {tab === 'json' ? (
          <div className="ld-json">
            <p className="ld-muted">{t('jsonHelp')}</p>
            <textarea
              data-testid="form-json"
              spellCheck={false}
              value={jsonText}
              onChange={(e) => {
                setJsonText(e.target.value);
                setJsonDirty(true);
              }}
            />
            <button type="button" onClick={applyJson} disabled={!jsonDirty} data-testid="apply-json">
              {t('applyJson')}
            </button>
          </div>
        ) : null}
        {tab === 'versions' ? (
          <FormVersions
            api={api}
            lang={lang}
            formKey={model.key}
            versions={versionsOfKey}
            openVersion={loaded?.key === model.key ? loaded.version : null}
            onOpen={(v) => openForm(model.key, v)}
            onPublished={() => {
              loadForms();
              onFormsChanged();
            }}
            onNotice={setNotice}
          />
        ) : null}
        {tab === 'review' ? (
          <FieldReview
            api={api}
            lang={lang}
            formKey={model.key}
            latestVersion={latestVersion}
            latestFields={leafPaths}
            refresh={reviewRefresh}
            onNotice={setNotice}
            onRetired={async (version) => {
              await loadForms();
              await openForm(model.key, version);
              setReviewRefresh((n) => n + 1);
            }}
          />
        ) : null}
      </section>

      <section className="ld-preview" aria-label={t('preview')} data-testid="form-preview">
        <div className="ld-preview-head">
          <h3>{t('preview')}</h3>
          <label>
            {t('previewLang')}{' '}
            <select value={previewLang} onChange={(e) => setPreviewLang(e.target.value as Lang)} data-testid="preview-lang">
              <option value="zh-CN">中文</option>
              <option value="en">English</option>
            </select>
          </label>
        </div>
        <PreviewBoundary resetKey={previewKey}>
          <LoopdeskForm
            key={previewRun}
            schema={schema}
            uiSchema={uiSchema}
            formData={previewData}
            lang={previewLang}
            formRef={formRef}
            onChange={(data) => {
              dataRef.current = data;
              setPreviewData(data);
            }}
            onSubmit={(data) => {
              dataRef.current = data;
              setPreviewResult({ errors: [] });
            }}
            onError={(errors) => setPreviewResult({ errors })}
          />
        </PreviewBoundary>
        <div className="ld-preview-results">
          {previewResult ? (
            <p data-testid="preview-result" data-valid={previewResult.errors.length === 0} data-paths={previewResult.errors.map((e) => e.path).sort().join(' ')}>
              {previewResult.errors.length === 0 ? t('previewValid') : t('previewInvalid', { n: previewResult.errors.length })}
            </p>
          ) : null}
          <button type="button" onClick={checkOnServer} data-testid="server-check">
            {t('serverCheck')}
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              dataRef.current = {};
              setPreviewData({});
              setPreviewResult(null);
              setServerCheck(null);
              setPreviewRun((n) => n + 1);
            }}
          >
            ↺
          </button>
          {serverCheck ? (
            <div
              data-testid="server-result"
              data-valid={serverCheck.errors.length === 0}
              data-paths={serverCheck.errors.map((e) => e.path).sort().join(' ')}
              className={serverCheck.errors.length === 0 ? 'ld-ok-text' : 'ld-error-text'}
            >
              {serverCheck.errors.length === 0
                ? t('serverValid', { version: serverCheck.version })
                : t('serverInvalid', { version: serverCheck.version, n: serverCheck.errors.length })}
              <ul>
                {withKeys(serverCheck.errors, (e) => `${e.path}:${e.message}`).map(({ key, item: e }) => (
                  <li key={key}>
                    <code>{e.path}</code> {e.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      </section>
    </div>
  );
}

function freeKey(byKey: Map<string, unknown>): string {
  for (let i = 1; ; i++) if (!byKey.has(`new-form-${i}`)) return `new-form-${i}`;
}
