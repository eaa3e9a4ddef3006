// The back end's import graph, read with the TypeScript compiler: which file imports which, and which folder
// (room) each file belongs to. The architecture test checks the import rule against it.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Both paths relative to the repository root, with forward slashes. */
  readonly from: string;
  readonly to: string;
}

const SOURCE = /\.(ts|tsx|mts)$/;

function sourceFiles(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(root, rel);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function specifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function resolve(root: string, from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined; // a package, not ours
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`];
  return candidates.find(
    (c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile(),
  );
}

/** Every import between source files under `dirs` (relative to `root`), type-only ones included. */
export function importEdges(root: string, dirs: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of dirs.flatMap((d) => sourceFiles(root, d))) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const spec of specifiers(file, text)) {
      const to = resolve(root, file, spec);
      if (to) edges.push({ from: file, to });
    }
  }
  return edges;
}

/**
 * The room a file lives in: `main/<folder>` for the back end's folders (sub-folders belong to theirs),
 * `main` for the files at its top (the composition root and the CLI), `<top>/` for the other top folders.
 */
export function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'main') return parts.length > 2 ? `main/${parts[1]}` : 'main';
  return parts[0] ?? file;
}

/** Folder-level edges (one per pair), with the file imports that make each. */
export function folderEdges(edges: readonly ImportEdge[]): Map<string, Map<string, ImportEdge[]>> {
  const out = new Map<string, Map<string, ImportEdge[]>>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    const row = out.get(a) ?? new Map<string, ImportEdge[]>();
    row.set(b, [...(row.get(b) ?? []), e]);
    out.set(a, row);
  }
  return out;
}

/** Strongly connected groups of more than one node (Tarjan): each is an import cycle. */
export function cycles(graph: ReadonlyMap<string, Iterable<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const groups: string[][] = [];
  const nodes = new Set<string>([...graph.keys()]);
  for (const targets of graph.values()) for (const t of targets) nodes.add(t);
  const connect = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!idx.has(v)) connect(v);
  return groups;
}

/** A file graph (file → files it imports). */
export function fileGraph(edges: readonly ImportEdge[]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const e of edges) g.set(e.from, (g.get(e.from) ?? new Set()).add(e.to));
  return g;
}

/**
 * Imports that reach into another folder past its `index.ts`: the target is not the folder's index
 * (nor, for a sub-folder such as `main/stack/docker`, that sub-folder's index).
 */
export function deepImports(edges: readonly ImportEdge[]): ImportEdge[] {
  return edges.filter((e) => {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b || b === 'main') return false;
    if (!b.startsWith('main/')) return false;
    return !e.to.endsWith('/index.ts');
  });
}
