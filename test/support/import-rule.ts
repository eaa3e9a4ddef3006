// The import rule of the back end, written once: which folder may import which (README, "Layout").
// Dependencies point one way: the composition root → capabilities and transports → the stack → shared leaves.
import { cycles, deepImports, folderEdges, folderOf, type ImportEdge } from './import-graph';

/** Each folder's layer: a folder imports only folders of a lower layer (or, among capabilities, another's index). */
export const LAYERS: Record<string, number> = {
  shared: 0,
  'main/api': 1,
  'main/settings': 2,
  'main/logs': 2,
  'main/resources': 3,
  'main/context': 3,
  'main/audit': 3,
  'main/db': 4,
  'main/stack': 5,
  // capabilities and transports: they may use each other's index.ts, never in a loop
  'main/recovery': 6,
  'main/profiles': 6,
  'main/temporal': 6,
  'main/inspection': 6,
  'main/saga': 6,
  'main/supervisor': 6,
  'main/backup': 6,
  'main/web-ui': 6,
  'main/transport': 6,
  'main/control': 6,
  // the composition root and the CLI (files at the top of main/), and the Electron shell that starts it
  main: 7,
  'main/electron': 8,
  // the worker process: only shared/
  worker: 9,
};

export interface Violation {
  readonly rule: 'cycle' | 'deep' | 'direction' | 'worker-main' | 'unmapped';
  readonly what: string;
}

/** Every break of the rule in `edges`, except the ones `pending` names (each as its `what`). */
export function violations(
  edges: readonly ImportEdge[],
  pending: ReadonlySet<string> = new Set(),
): Violation[] {
  const found: Violation[] = [];
  const folders = folderEdges(edges);
  const graph = new Map([...folders].map(([a, row]) => [a, new Set(row.keys())]));
  for (const group of cycles(graph)) found.push({ rule: 'cycle', what: group.join(' ↔ ') });
  for (const e of deepImports(edges)) found.push({ rule: 'deep', what: `${e.from} → ${e.to}` });
  for (const [a, row] of folders) {
    for (const b of row.keys()) {
      const crossesProcess =
        (a === 'worker' && b.startsWith('main')) || (a.startsWith('main') && b === 'worker');
      if (crossesProcess) {
        found.push({ rule: 'worker-main', what: `${a} → ${b}` });
        continue;
      }
      const la = LAYERS[a];
      const lb = LAYERS[b];
      if (la === undefined || lb === undefined) {
        found.push({ rule: 'unmapped', what: la === undefined ? a : b });
        continue;
      }
      const sideways = la === lb && la === LAYERS['main/recovery'];
      if (lb > la || (lb === la && !sideways)) found.push({ rule: 'direction', what: `${a} → ${b}` });
    }
  }
  return found.filter((v) => !pending.has(v.what));
}

export { folderOf };
