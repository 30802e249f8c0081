/**
 * The heatmap's scale (R26): each node's median working time placed between the fastest and the
 * slowest node of the diagram, as a colour from green to red. Pure, so the numbers are tested
 * without a browser.
 */
export interface NodeHeat {
  nodeId: string;
  count: number;
  medianMs: number | null;
  /** 0 (fastest) … 1 (slowest); null without a duration. */
  level: number | null;
  colour: string;
}

const NO_DATA = '#d0d4da';

/** Green (120°) to red (0°) through yellow, by level. */
export function heatColour(level: number | null): string {
  if (level === null) return NO_DATA;
  const hue = Math.round(120 * (1 - Math.min(1, Math.max(0, level))));
  return `hsl(${hue}, 75%, 50%)`;
}

export function heatOf(nodes: readonly { nodeId: string; count: number; medianMs: number | null }[]): NodeHeat[] {
  const medians = nodes.map((n) => n.medianMs).filter((m): m is number => m !== null);
  // A log scale: node times run from seconds (a gateway) to days (waiting for a customer).
  const lo = Math.log1p(Math.min(...medians));
  const hi = Math.log1p(Math.max(...medians));
  return nodes.map((n) => {
    const level = n.medianMs === null ? null : hi === lo ? 0.5 : (Math.log1p(n.medianMs) - lo) / (hi - lo);
    return { nodeId: n.nodeId, count: n.count, medianMs: n.medianMs, level, colour: heatColour(level) };
  });
}

/** `3.5 h`, `12 min`, `40 s`: durations as people read them. */
export function formatDuration(ms: number | null | undefined, lang: 'zh-CN' | 'en'): string {
  if (ms === null || ms === undefined) return '–';
  const zh = lang === 'zh-CN';
  if (ms >= 86_400_000) return `${(ms / 86_400_000).toFixed(1)}${zh ? ' 天' : ' d'}`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)}${zh ? ' 小时' : ' h'}`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)}${zh ? ' 分钟' : ' min'}`;
  return `${Math.round(ms / 1000)}${zh ? ' 秒' : ' s'}`;
}
