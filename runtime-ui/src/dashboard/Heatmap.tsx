/**
 * Where time goes, on the diagram itself (R26): the process version's BPMN in a read-only
 * bpmn-js viewer, each visited node tinted by its median working time (green fast → red slow, see
 * heat.ts) with a badge of its visit count. Clicking a node lists its slowest cases. Lives in its
 * own chunk: bpmn-js loads only when a supervisor opens the heatmap.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import NavigatedViewerModule from 'bpmn-js/lib/NavigatedViewer.js';
import { useEffect, useRef, useState } from 'react';
import { fetchBlob } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { formatDuration, heatColour, heatOf } from './heat.ts';
import { dashboardText } from './messages.ts';
import type { NodesReport } from './types.ts';

// The module's default export is the class (its typings describe the CommonJS shape).
const NavigatedViewer = NavigatedViewerModule as unknown as typeof NavigatedViewerModule.default;

interface Props {
  processKey: string;
  version: number;
  nodes: NodesReport['nodes'];
}

interface Shape {
  width: number;
  height: number;
}

export default function Heatmap({ processKey, version, nodes }: Props) {
  const { lang } = useI18n();
  const text = dashboardText(lang);
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const viewer = new NavigatedViewer({ container: host.current });
    let live = true;
    const nodeNames = new Map(nodes.map((n) => [n.nodeId, n.name ?? n.nodeId]));
    const heat = heatOf(nodes.map((n) => ({ nodeId: n.nodeId, count: n.working.count || n.wall.count, medianMs: n.working.median ?? n.wall.median })));
    (async () => {
      try {
        const xml = await (await fetchBlob(`/api/processes/${encodeURIComponent(processKey)}/versions/${version}/xml`)).text();
        if (!live) return;
        await viewer.importXML(xml);
        const canvas = viewer.get('canvas') as { zoom(mode: string): void };
        const registry = viewer.get('elementRegistry') as { get(id: string): Shape | undefined };
        const overlays = viewer.get('overlays') as { add(id: string, type: string, o: { position: object; html: HTMLElement }): void };
        const events = viewer.get('eventBus') as { on(event: string, cb: (e: { element: { id: string } }) => void): void };
        canvas.zoom('fit-viewport');
        for (const h of heat) {
          const shape = registry.get(h.nodeId);
          if (!shape) continue;
          const tint = document.createElement('div');
          tint.className = 'heat-tint';
          tint.dataset.node = h.nodeId;
          tint.dataset.level = h.level === null ? '' : h.level.toFixed(2);
          tint.style.cssText = `width:${shape.width}px;height:${shape.height}px;background:${h.colour};`;
          tint.title = `${h.count} · ${formatDuration(h.medianMs, lang)}`;
          overlays.add(h.nodeId, 'heat', { position: { top: 0, left: 0 }, html: tint });
          // The badge is a button: keyboard users open the node's slowest cases too.
          const badge = document.createElement('button');
          badge.type = 'button';
          badge.className = 'heat-badge';
          badge.dataset.node = h.nodeId;
          badge.textContent = String(h.count);
          badge.setAttribute('aria-label', `${nodeNames.get(h.nodeId) ?? h.nodeId}: ${h.count} · ${formatDuration(h.medianMs, lang)}`);
          badge.addEventListener('click', () => setSelected(h.nodeId));
          overlays.add(h.nodeId, 'heat', { position: { top: -12, right: 12 }, html: badge });
        }
        events.on('element.click', (e) => setSelected(e.element.id));
      } catch (e) {
        // A diagram deployed without layout (DI), e.g. written by hand, has nothing to draw.
        const message = e instanceof Error ? e.message : String(e);
        if (live) setError(/no diagram to display/.test(message) ? dashboardText(lang)('noLayout') : message);
      }
    })();
    return () => {
      live = false;
      viewer.destroy();
    };
  }, [processKey, version, nodes, lang]);

  const node = nodes.find((n) => n.nodeId === selected);
  return (
    <div className="heatmap" data-testid="heatmap">
      <div className="heat-legend" aria-hidden="true">
        <span>{text('legendFast')}</span>
        <span className="heat-scale" style={{ background: `linear-gradient(90deg, ${heatColour(0)}, ${heatColour(0.5)}, ${heatColour(1)})` }} />
        <span>{text('legendSlow')}</span>
      </div>
      {error ? <p className="error">{error}</p> : null}
      <div ref={host} className="heat-canvas" />
      {node ? (
        <div className="heat-detail" data-testid="heat-detail">
          <h4>
            {node.name ?? node.nodeId} · {text('slowest')}
          </h4>
          <ul>
            {node.slowest.map((c) => (
              <li key={c.instanceId}>
                <Link to={c.caseNumber ? `/cases/${c.caseNumber}` : `/instances/${c.instanceId}`}>{c.caseNumber ?? c.instanceId}</Link>{' '}
                {formatDuration(c.workingMs ?? c.valueMs, lang)} · {c.owner ?? '–'} · {c.description ?? ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
