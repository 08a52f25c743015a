/**
 * The project's import graph, read with the TypeScript compiler (the scanner of
 * `ts.preProcessFile`, and the compiler's own module resolution with the options of
 * tsconfig.json: `~/` is app/, `#db/schema` is db/tables.ts, `#db/` is db/, relative paths,
 * `.ts`/`.tsx`/`index` and `.js` written for `.ts`). Every kind of import is an edge: `import`,
 * `import type`, `export … from`, `require()` and `import()`.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/** Module → the project modules it imports (paths relative to the root, `/`-separated). */
export type ImportGraph = Map<string, string[]>;

const CODE = /\.(ts|tsx|js|jsx|mjs|cjs)$/;
/** What a module may import that is not code: a style sheet, a picture, data. */
const ASSET = /\.(css|svg|png|jpe?g|webp|json|wasm|txt)$/;

/** The compiler options of `root/tsconfig.json` (without listing the files it includes). */
export function compilerOptionsOf(root: string): ts.CompilerOptions {
  const file = path.join(root, "tsconfig.json");
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  const { options, errors } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
  if (errors.length > 0) {
    throw new Error(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, "\n")).join());
  }
  return options;
}

/** The code files under `entries` (folders, walked whole, or single files), relative to `root`. */
export function codeFiles(root: string, entries: string[]): string[] {
  return entries.flatMap((entry) => {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) return [];
    if (!fs.statSync(full).isDirectory()) return CODE.test(entry) ? [entry] : [];
    return (fs.readdirSync(full, { recursive: true }) as string[])
      .filter((f) => CODE.test(f) && !f.split(path.sep).includes("node_modules"))
      .map((f) => path.posix.join(entry, f.split(path.sep).join("/")))
      .sort();
  });
}

/** A specifier that names a project file rather than a package. */
const isProjectSpecifier = (spec: string) =>
  spec.startsWith(".") || spec.startsWith("~/") || spec.startsWith("#");

export type GraphReading = {
  graph: ImportGraph;
  /** Project specifiers of code (not assets such as `./x.css?url`) that resolve to no file. */
  unresolved: { from: string; specifier: string }[];
};

/** Read `files` (relative to `root`) and resolve what each imports among them. */
export function readImportGraph(
  root: string,
  files: string[],
  options: ts.CompilerOptions,
): GraphReading {
  const known = new Set(files);
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  const graph: ImportGraph = new Map();
  const unresolved: GraphReading["unresolved"] = [];
  for (const file of files) {
    const full = path.join(root, file);
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(full, "utf8"), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!isProjectSpecifier(fileName)) continue;
      const specifier = fileName.replace(/\?.*$/, "");
      const resolved = ts.resolveModuleName(specifier, full, options, ts.sys, cache).resolvedModule
        ?.resolvedFileName;
      const target = resolved && path.relative(root, resolved).split(path.sep).join("/");
      if (target && known.has(target)) targets.add(target);
      else if (!target && !ASSET.test(specifier))
        unresolved.push({ from: file, specifier: fileName });
    }
    graph.set(file, [...targets].sort());
  }
  return { graph, unresolved };
}

/**
 * Every import circle: one per strongly connected component of the graph (Tarjan's algorithm)
 * that has two modules or more, or a module that imports itself; each given as the shortest
 * path from its first module (in sorted order) back to it, e.g. `["a.ts", "b.ts", "a.ts"]`.
 */
export function importCircles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const next = (node: string) => (graph.get(node) ?? []).filter((n) => graph.has(n));

  const connect = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);

  return components
    .filter((c) => c.length > 1 || next(c[0]).includes(c[0]))
    .map((component) => {
      const members = new Set(component);
      const start = [...component].sort()[0];
      // Breadth first inside the component, from the start back to it.
      const cameFrom = new Map<string, string>();
      const queue = [start];
      while (queue.length > 0) {
        const node = queue.shift()!;
        for (const to of next(node).filter((n) => members.has(n))) {
          if (to === start) {
            const circle = [node];
            while (circle[0] !== start) circle.unshift(cameFrom.get(circle[0])!);
            return [...circle, start];
          }
          if (!cameFrom.has(to)) {
            cameFrom.set(to, node);
            queue.push(to);
          }
        }
      }
      throw new Error(`no path back to ${start} inside its component`);
    })
    .sort((a, b) => a[0].localeCompare(b[0]));
}
