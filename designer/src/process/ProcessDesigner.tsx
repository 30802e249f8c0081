/**
 * The process designer (R0b, R33): a bpmn-js modeler with the properties panel, open / import /
 * export, bpmnlint and FEEL checks while drawing, deploy with the engine's 422 errors put on the
 * elements they name, and the versions / pilot / feedback / diff side panel (R34, R0d).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type Api, ApiError, type ProcessVersion, describeError } from '../shared/api.ts';
import { type Lang, textIn, translator } from '../shared/i18n.ts';
import { withKeys } from '../shared/keys.ts';
import { Notice, type NoticeState } from '../shared/Notice.tsx';
import { type DiffMarks, type Problem, focusElement, showDiff, showProblems } from './canvasMarks.ts';
import { feelProblems } from './feel.ts';
import { lintIssues } from './lint.ts';
import type { Catalog } from './loopdeskProperties.ts';
import { type BpmnModeler, createModeler, emptyDiagram } from './modeler.ts';
import { ProcessVersions } from './ProcessVersions.tsx';

export interface OpenDiagram {
  /** What the toolbar shows: file name, or `key vN`. */
  label: string;
  key: string | null;
  version: number | null;
}

type Sources = Record<Problem['source'], Problem[]>;

export interface ProcessDesignerHandle {
  modeler(): BpmnModeler | null;
  importXML(xml: string, label?: string): Promise<{ warnings: string[] }>;
  saveXML(): Promise<string>;
  problems(): Problem[];
  open(): OpenDiagram;
}

interface Props {
  api: Api;
  lang: Lang;
  /** Bumped when forms were published, so the form list of the Loopdesk group is fetched again. */
  formsVersion: number;
  register?: (handle: ProcessDesignerHandle) => void;
}

function download(name: string, type: string, content: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Fits the diagram into the canvas, leaving the palette's strip on the left free. */
function fitBesidePalette(modeler: BpmnModeler) {
  type Box = { x: number; y: number; width: number; height: number };
  const canvas = modeler.get<{ zoom(level: string): void; viewbox(box?: Box): Box & { scale: number; inner: Box; outer: Box } }>('canvas');
  try {
    canvas.zoom('fit-viewport');
    const { inner, outer } = canvas.viewbox();
    if (!outer.width || !inner.width) return;
    const palette = 80;
    const margin = 24;
    const scale = Math.min((outer.width - palette - 2 * margin) / inner.width, (outer.height - 2 * margin) / inner.height, 1);
    canvas.viewbox({ x: inner.x - (palette + margin) / scale, y: inner.y - margin / scale, width: outer.width / scale, height: outer.height / scale });
  } catch {
    // a hidden canvas has no size; it is fitted when shown
  }
}

export function ProcessDesigner({ api, lang, formsVersion, register }: Props) {
  const t = useMemo(() => translator(lang), [lang]);
  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const modelerRef = useRef<BpmnModeler | null>(null);
  const xmlRef = useRef<string>(emptyDiagram());
  const catalogRef = useRef<Catalog>({ lang, policies: [], calendars: [], forms: [] });
  const [open, setOpen] = useState<OpenDiagram>({ label: t('unsaved'), key: null, version: null });
  const openRef = useRef(open);
  openRef.current = open;
  const [notice, setNotice] = useState<NoticeState | null>(null);
  const [problems, setProblems] = useState<Sources>({ engine: [], feel: [], lint: [] });
  const problemsRef = useRef(problems);
  problemsRef.current = problems;
  const [deployed, setDeployed] = useState<ProcessVersion[]>([]);
  const [lintBlocked, setLintBlocked] = useState<null | { publish: boolean; count: number }>(null);
  const [diff, setDiff] = useState<DiffMarks | null>(null);
  const [busy, setBusy] = useState(false);
  const [refreshVersions, setRefreshVersions] = useState(0);

  const setSource = useCallback((source: Problem['source'], list: Problem[]) => {
    setProblems((prev) => ({ ...prev, [source]: list }));
  }, []);

  // One modeler per language (bpmn-js translates its palette when it is created); the diagram moves over.
  useEffect(() => {
    if (!canvasRef.current || !panelRef.current) return;
    const catalog = catalogRef.current;
    catalog.lang = lang;
    const tr = translator(lang);
    const modeler = createModeler({ canvas: canvasRef.current, properties: panelRef.current, lang, catalog });
    modelerRef.current = modeler;
    const eventBus = modeler.get<{ on(e: string | string[], p: number | ((ev: any) => void), f?: (ev: any) => void): void }>('eventBus');
    let feelTimer: ReturnType<typeof setTimeout> | undefined;
    const checkFeel = () => {
      clearTimeout(feelTimer);
      feelTimer = setTimeout(() => {
        const list = feelProblems(modeler, (where, message) => tr('feelIn', { where, message }));
        showProblems(modeler, 'feel', list);
        setSource('feel', list);
      }, 150);
    };
    const keepXml = () => {
      modeler.saveXML({ format: true }).then(({ xml }) => {
        if (xml) xmlRef.current = xml;
      });
    };
    eventBus.on('import.done', () => {
      checkFeel();
      keepXml();
    });
    eventBus.on('commandStack.changed', () => {
      checkFeel();
      keepXml();
    });
    eventBus.on('linting.completed', (event: { issues: Record<string, { id: string; message: string; category: string; rule: string }[]> }) => {
      const list: Problem[] = Object.values(event.issues)
        .flat()
        .map((i) => ({ elementId: i.id, message: `${i.message} (${i.rule})`, severity: i.category === 'error' ? 'error' : 'warning', source: 'lint' }));
      setSource('lint', list);
    });
    modeler.importXML(xmlRef.current).then(() => fitBesidePalette(modeler), (e: Error) => setNotice({ kind: 'error', text: e.message }));
    // A canvas created while its tab was hidden has no size: fit the diagram when it gets one.
    let hadSize = canvasRef.current.clientWidth > 0;
    const observer = new ResizeObserver(([entry]) => {
      const hasSize = entry.contentRect.width > 0;
      modeler.get<{ resized(): void }>('canvas').resized();
      if (hasSize && !hadSize) fitBesidePalette(modeler);
      hadSize = hasSize;
    });
    observer.observe(canvasRef.current);
    return () => {
      observer.disconnect();
      clearTimeout(feelTimer);
      modeler.destroy();
      modelerRef.current = null;
    };
  }, [lang, setSource]);

  // The catalogues the Loopdesk group offers; again when forms were published.
  // biome-ignore lint/correctness/useExhaustiveDependencies: formsVersion is the trigger
  useEffect(() => {
    let cancelled = false;
    const catalog = catalogRef.current;
    const refresh = () => modelerRef.current?.get<{ fire(e: string): void }>('eventBus').fire('propertiesPanel.providersChanged');
    (async () => {
      const [policies, calendars, forms] = await Promise.allSettled([api.slaPolicies(), api.calendars(), api.forms()]);
      if (cancelled) return;
      if (policies.status === 'fulfilled')
        catalog.policies = policies.value.map((p) => ({ value: p.key, label: `${textIn(p.name, lang) || p.key} (${p.key})` }));
      if (calendars.status === 'fulfilled')
        catalog.calendars = calendars.value.map((c) => ({ value: c.key, label: `${textIn(c.definition?.name ?? c.name, lang) || c.key} (${c.key})` }));
      if (forms.status === 'fulfilled') {
        const latest = new Map<string, { key: string; title?: unknown }>();
        for (const f of forms.value) if (f.status === 'published') latest.set(f.key, f);
        catalog.forms = [...latest.values()].map((f) => ({ value: f.key, label: `${textIn(f.title, lang) || f.key} (${f.key})` }));
      }
      refresh();
    })();
    return () => {
      cancelled = true;
    };
  }, [api, lang, formsVersion]);

  const loadDeployed = useCallback(async () => {
    try {
      setDeployed(await api.processes());
    } catch (e) {
      setNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
    }
  }, [api, t]);
  useEffect(() => {
    loadDeployed();
  }, [loadDeployed]);

  const clearMarks = useCallback(() => {
    const modeler = modelerRef.current;
    if (!modeler) return;
    showProblems(modeler, 'engine', []);
    setSource('engine', []);
    showDiff(modeler, null);
    setDiff(null);
  }, [setSource]);

  const importXML = useCallback(
    async (xml: string, label = 'diagram', from: Partial<OpenDiagram> = {}) => {
      const modeler = modelerRef.current;
      if (!modeler) throw new Error('the modeler is not ready');
      clearMarks();
      setLintBlocked(null);
      try {
        const result = await modeler.importXML(xml);
        xmlRef.current = xml;
        fitBesidePalette(modeler);
        setOpen({ label, key: from.key ?? null, version: from.version ?? null });
        setNotice(
          result.warnings.length > 0
            ? { kind: 'warning', text: t('importWarnings', { name: label, n: result.warnings.length }), details: result.warnings.map(String) }
            : { kind: 'ok', text: t('imported', { name: label }) },
        );
        return { warnings: result.warnings.map(String) };
      } catch (e) {
        setNotice({ kind: 'error', text: t('importFailed', { name: label, message: (e as Error).message }) });
        throw e;
      }
    },
    [clearMarks, t],
  );

  const saveXML = useCallback(async () => {
    const modeler = modelerRef.current;
    if (!modeler) throw new Error('the modeler is not ready');
    const { xml } = await modeler.saveXML({ format: true });
    return xml ?? '';
  }, []);

  const openVersion = useCallback(
    async (key: string, version: number) => {
      try {
        const xml = await api.processXml(key, version);
        await importXML(xml, `${key} v${version}`, { key, version });
      } catch (e) {
        if (e instanceof ApiError) setNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
      }
    },
    [api, importXML, t],
  );

  const deploy = useCallback(
    async (publish: boolean, force = false) => {
      const modeler = modelerRef.current;
      if (!modeler) return;
      setLintBlocked(null);
      const results = await modeler.get<{ lint(): Promise<Record<string, { id?: string; message: string; category: string }[]>> }>('linting').lint();
      const errors = lintIssues(results).filter((i) => i.category === 'error');
      if (errors.length > 0 && !force) {
        setLintBlocked({ publish, count: errors.length });
        setNotice({ kind: 'error', text: t('lintBlocks', { n: errors.length }) });
        return;
      }
      setBusy(true);
      const xml = await saveXML();
      try {
        const result = await api.deploy(xml, publish);
        const warnings: Problem[] = (result.warnings ?? []).map((w) => ({
          elementId: w.elementId ?? null,
          message: w.message,
          severity: 'warning',
          source: 'engine',
          code: w.code,
        }));
        showProblems(modeler, 'engine', warnings);
        setSource('engine', warnings);
        const first = result.processes?.[0] ?? result;
        setOpen({ label: `${first.key} v${first.version}`, key: first.key, version: first.version });
        setNotice({
          kind: 'ok',
          text: t(result.created === false ? 'deployUnchanged' : 'deployed', { key: first.key, version: first.version, status: t(`status_${first.status}`) }),
        });
        setRefreshVersions((n) => n + 1);
        loadDeployed();
      } catch (e) {
        if (e instanceof ApiError && e.errors.length > 0) {
          const list: Problem[] = e.errors.map((x) => ({ elementId: x.elementId ?? null, message: x.message, severity: 'error', source: 'engine', code: x.code }));
          showProblems(modeler, 'engine', list);
          setSource('engine', list);
          setNotice({ kind: 'error', text: t('deployFailed', { n: list.length }), details: [`${e.code}: ${e.message}`] });
        } else {
          setNotice({ kind: 'error', text: t('failedCall', { message: describeError(e) }) });
        }
      } finally {
        setBusy(false);
      }
    },
    [api, loadDeployed, saveXML, setSource, t],
  );

  const onFile = useCallback(
    async (file: File | undefined) => {
      if (!file) return;
      const xml = await file.text();
      await importXML(xml, file.name).catch(() => undefined);
      if (fileRef.current) fileRef.current.value = '';
    },
    [importXML],
  );

  const processId = () => {
    const definitions = modelerRef.current?.getDefinitions() as { rootElements?: { $type: string; id: string }[] } | undefined;
    return definitions?.rootElements?.find((r) => r.$type === 'bpmn:Process')?.id ?? 'diagram';
  };

  useEffect(() => {
    register?.({
      modeler: () => modelerRef.current,
      importXML: (xml, label) => importXML(xml, label ?? 'diagram'),
      saveXML,
      problems: () => Object.values(problemsRef.current).flat(),
      open: () => openRef.current,
    });
  }, [register, importXML, saveXML]);

  const applyDiff = useCallback((marks: DiffMarks | null) => {
    const modeler = modelerRef.current;
    if (!modeler) return;
    showDiff(modeler, marks);
    setDiff(marks);
  }, []);

  const allProblems = [...problems.engine, ...problems.feel, ...problems.lint];
  const keys = [...new Set(deployed.map((d) => d.key))];

  return (
    <div className="ld-process">
      <div className="ld-toolbar" role="toolbar">
        <button type="button" onClick={() => importXML(emptyDiagram(), t('unsaved')).catch(() => undefined)}>
          {t('newDiagram')}
        </button>
        <select
          aria-label={t('openDeployed')}
          data-testid="open-deployed"
          value=""
          onChange={(e) => {
            const [key, version] = e.target.value.split('@');
            if (key && version) openVersion(key, Number(version));
          }}
        >
          <option value="">{t('openDeployed')}</option>
          {keys.map((key) => (
            <optgroup key={key} label={key}>
              {deployed
                .filter((d) => d.key === key)
                .sort((a, b) => b.version - a.version)
                .map((d) => (
                  <option key={d.version} value={`${d.key}@${d.version}`}>
                    {`${d.name ?? d.key} · v${d.version} · ${t(`status_${d.status}`)}`}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        <label className="ld-file">
          {t('importFile')}
          <input ref={fileRef} type="file" accept=".bpmn,.xml,application/xml,text/xml" data-testid="bpmn-file" onChange={(e) => onFile(e.target.files?.[0])} />
        </label>
        <button type="button" onClick={async () => download(`${processId()}.bpmn`, 'application/xml', await saveXML())}>
          {t('exportBpmn')}
        </button>
        <button
          type="button"
          onClick={async () => {
            const svg = (await modelerRef.current?.saveSVG())?.svg;
            if (svg) download(`${processId()}.svg`, 'image/svg+xml', svg);
          }}
        >
          {t('exportSvg')}
        </button>
        <span className="ld-toolbar-gap" />
        <button
          type="button"
          onClick={async () => {
            const results = await modelerRef.current?.get<{ lint(): Promise<Record<string, never[]>> }>('linting').lint();
            const n = results ? lintIssues(results).length : 0;
            setNotice(n === 0 ? { kind: 'ok', text: t('lintClean') } : { kind: 'warning', text: `${t('problems')}: ${n}` });
          }}
        >
          {t('lint')}
        </button>
        <button type="button" disabled={busy} onClick={() => deploy(false)} data-testid="deploy-draft">
          {t('deployDraft')}
        </button>
        <button type="button" className="ld-primary" disabled={busy} onClick={() => deploy(true)} data-testid="deploy-publish">
          {t('deployPublish')}
        </button>
        {lintBlocked ? (
          <button type="button" className="ld-danger" onClick={() => deploy(lintBlocked.publish, true)} data-testid="deploy-anyway">
            {t('deployAnyway')}
          </button>
        ) : null}
      </div>
      <div className="ld-process-status">
        <span data-testid="open-diagram">{t('currentDiagram', { name: open.label })}</span>
        <Notice notice={notice} onClose={() => setNotice(null)} />
      </div>
      <div className="ld-process-main">
        <div className="ld-canvas-column">
          <div className="ld-canvas" ref={canvasRef} data-testid="canvas" />
          <section className="ld-problems" aria-label={t('problems')} data-testid="problems">
            <h3>
              {t('problems')} ({allProblems.length})
            </h3>
            {allProblems.length === 0 ? <p className="ld-muted">{t('noProblems')}</p> : null}
            <ul>
              {withKeys(allProblems, (p) => `${p.source}:${p.elementId}:${p.message}`).map(({ key, item: p }) => (
                <li key={key} className={`ld-problem ld-problem-${p.severity}`} data-source={p.source} data-element-id={p.elementId ?? ''}>
                  <span className="ld-tag">{t(`source${p.source[0].toUpperCase()}${p.source.slice(1)}`)}</span>
                  {p.elementId ? (
                    <button type="button" className="ld-link" onClick={() => modelerRef.current && focusElement(modelerRef.current, p.elementId as string)}>
                      {p.elementId}
                    </button>
                  ) : null}{' '}
                  {p.message}
                </li>
              ))}
            </ul>
          </section>
        </div>
        <aside className="ld-properties" aria-label={t('properties')}>
          <div ref={panelRef} className="ld-properties-panel" data-testid="properties-panel" />
        </aside>
        <ProcessVersions
          api={api}
          lang={lang}
          open={open}
          refresh={refreshVersions}
          diff={diff}
          onOpenVersion={openVersion}
          onDiff={applyDiff}
          onChanged={() => {
            setRefreshVersions((n) => n + 1);
            loadDeployed();
          }}
          onNotice={setNotice}
          focus={(id) => (modelerRef.current ? focusElement(modelerRef.current, id) : false)}
          nodes={() => {
            const registry = modelerRef.current?.get<{ filter(fn: (e: { type: string; id: string; businessObject: { name?: string } }) => boolean): { id: string; businessObject: { name?: string } }[] }>('elementRegistry');
            return (registry?.filter((e) => /Task|Event|Gateway|SubProcess/.test(e.type) && e.type !== 'label') ?? []).map((e) => ({ id: e.id, name: e.businessObject.name ?? '' }));
          }}
        />
      </div>
    </div>
  );
}
