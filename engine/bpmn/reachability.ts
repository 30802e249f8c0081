/**
 * Which nodes a token at a given node could still reach, within its own scope. Inclusive joins
 * fire only when no other token can arrive; computed once per deployed graph and cached.
 */
import type { ProcessGraph } from './model.ts';

const cache = new WeakMap<ProcessGraph, Map<string, Set<string>>>();

function successors(graph: ProcessGraph, nodeId: string): string[] {
  const node = graph.nodes[nodeId];
  if (!node) return [];
  return [...node.outgoing.map((f) => graph.flows[f]!.targetRef), ...node.boundaryEvents];
}

export function reachableFrom(graph: ProcessGraph, nodeId: string): Set<string> {
  let perGraph = cache.get(graph);
  if (!perGraph) {
    perGraph = new Map();
    cache.set(graph, perGraph);
  }
  let set = perGraph.get(nodeId);
  if (!set) {
    set = new Set();
    const stack = successors(graph, nodeId);
    while (stack.length) {
      const n = stack.pop()!;
      if (set.has(n)) continue;
      set.add(n);
      stack.push(...successors(graph, n));
    }
    perGraph.set(nodeId, set);
  }
  return set;
}

/** True when a token at `from` may still arrive at `to` (a token at `to` itself counts). */
export function canReach(graph: ProcessGraph, from: string, to: string): boolean {
  return from === to || reachableFrom(graph, from).has(to);
}
