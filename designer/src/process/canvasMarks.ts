/**
 * Marks on the canvas: problems (the engine's deploy errors and warnings, FEEL syntax errors) as a
 * red/amber outline plus a bubble with the message on the element they name, and a version diff
 * (added / changed nodes) as green / blue outlines. Each kind is replaced as a whole.
 */
import type { BpmnModeler } from './modeler.ts';

export type Severity = 'error' | 'warning';

export interface Problem {
  elementId: string | null;
  message: string;
  severity: Severity;
  /** Who found it: the engine on deploy, the FEEL linter, bpmnlint. */
  source: 'engine' | 'feel' | 'lint';
  code?: string;
}

interface Canvas {
  addMarker(id: string, marker: string): void;
  removeMarker(id: string, marker: string): void;
}
interface Overlays {
  add(id: string, type: string, overlay: { position: Record<string, number>; html: HTMLElement }): string;
  remove(filter: { type: string }): void;
}
interface ElementRegistry {
  get(id: string): unknown;
}

const marked = new WeakMap<object, Map<string, [string, string][]>>();

function services(modeler: BpmnModeler) {
  return {
    canvas: modeler.get<Canvas>('canvas'),
    overlays: modeler.get<Overlays>('overlays'),
    registry: modeler.get<ElementRegistry>('elementRegistry'),
  };
}

function clear(modeler: BpmnModeler, kind: string) {
  const { canvas, overlays, registry } = services(modeler);
  const byKind = marked.get(modeler) ?? new Map<string, [string, string][]>();
  marked.set(modeler, byKind);
  for (const [id, marker] of byKind.get(kind) ?? []) if (registry.get(id)) canvas.removeMarker(id, marker);
  byKind.set(kind, []);
  overlays.remove({ type: `ld-${kind}` });
  return byKind.get(kind) as [string, string][];
}

/** Shows `problems` of one source (replacing that source's previous ones); returns those not on the canvas. */
export function showProblems(modeler: BpmnModeler, source: Problem['source'], problems: Problem[]): Problem[] {
  const list = clear(modeler, `problem-${source}`);
  const { canvas, overlays, registry } = services(modeler);
  const elsewhere: Problem[] = [];
  const perElement = new Map<string, Problem[]>();
  for (const p of problems) {
    if (!p.elementId || !registry.get(p.elementId)) {
      elsewhere.push(p);
      continue;
    }
    perElement.set(p.elementId, [...(perElement.get(p.elementId) ?? []), p]);
  }
  for (const [id, items] of perElement) {
    const severity = items.some((p) => p.severity === 'error') ? 'error' : 'warning';
    const marker = `ld-${severity}`;
    canvas.addMarker(id, marker);
    list.push([id, marker]);
    const bubble = document.createElement('div');
    bubble.className = `ld-bubble ld-bubble-${severity}`;
    bubble.dataset.elementId = id;
    bubble.dataset.source = source;
    for (const p of items) {
      const line = document.createElement('div');
      line.textContent = p.message;
      bubble.appendChild(line);
    }
    // The engine's messages above the element, the live checks' below, so both stay readable.
    const below = source !== 'engine';
    if (below) bubble.classList.add('ld-bubble-below');
    overlays.add(id, `ld-problem-${source}`, { position: below ? { bottom: -6, left: 0 } : { top: -8, left: 0 }, html: bubble });
  }
  return elsewhere;
}

export interface DiffMarks {
  added: string[];
  changed: { id: string; fields?: string[] }[];
}

export function showDiff(modeler: BpmnModeler, diff: DiffMarks | null): void {
  const list = clear(modeler, 'diff');
  if (!diff) return;
  const { canvas, overlays, registry } = services(modeler);
  const mark = (id: string, kind: 'added' | 'changed', text: string) => {
    if (!registry.get(id)) return;
    canvas.addMarker(id, `ld-diff-${kind}`);
    list.push([id, `ld-diff-${kind}`]);
    const badge = document.createElement('div');
    badge.className = `ld-diff-badge ld-diff-badge-${kind}`;
    badge.dataset.elementId = id;
    badge.textContent = text;
    overlays.add(id, 'ld-diff', { position: { top: -14, right: 6 }, html: badge });
  };
  for (const id of diff.added) mark(id, 'added', '+');
  for (const c of diff.changed) mark(c.id, 'changed', '~');
}

/** Draws attention to one element (a feedback entry's node). */
export function focusElement(modeler: BpmnModeler, id: string): boolean {
  const registry = modeler.get<ElementRegistry>('elementRegistry');
  const element = registry.get(id);
  if (!element) return false;
  modeler.get<{ select(e: unknown): void }>('selection').select(element);
  modeler.get<{ scrollToElement(e: unknown): void }>('canvas').scrollToElement(element);
  return true;
}
