import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  codeFiles,
  compilerOptionsOf,
  importCircles,
  readImportGraph,
  type ImportGraph,
} from "./import-graph";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The app, the data layer, the servers, the seed and the scripts (tests/ is not among them). */
const PROJECT = ["app", "db", "server", "seed", "scripts", "server.js"];

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe("the circle finder", () => {
  it("finds none in a graph without circles", () => {
    expect(importCircles(graphOf({ a: ["b", "c"], b: ["c"], c: [], d: ["a"] }))).toEqual([]);
  });

  it("names the modules of a circle, from the first back to it", () => {
    const graph = graphOf({ a: ["b"], b: ["c"], c: ["a", "d"], d: [], e: ["a"] });
    expect(importCircles(graph)).toEqual([["a", "b", "c", "a"]]);
  });

  it("gives each circle once, the shortest way round, and a module that imports itself", () => {
    const graph = graphOf({
      a: ["b"],
      b: ["c", "a"],
      c: ["a"],
      x: ["y"],
      y: ["x"],
      self: ["self"],
    });
    expect(importCircles(graph)).toEqual([
      ["a", "b", "a"],
      ["self", "self"],
      ["x", "y", "x"],
    ]);
  });
});

describe("reading the imports", () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "import-graph-"));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write(
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: {
          module: "ESNext",
          moduleResolution: "Bundler",
          allowJs: true,
          baseUrl: ".",
          paths: { "~/*": ["./app/*"], "#db/schema": ["./db/tables.ts"], "#db/*": ["./db/*"] },
        },
      }),
    );
    // A circle that only a type-only import, a re-export, an index file, both aliases and a
    // `.js` written for `.ts` close: a → b → c/index → db/tables → db/client → a.
    write("app/a.ts", 'import type { B } from "~/b";\nexport type A = B;\n');
    write("app/b.ts", 'export * from "./c";\nexport type B = string;\n');
    write("app/c/index.ts", 'import { t } from "#db/schema";\nexport const c = t;\n');
    write("db/tables.ts", 'export { client as t } from "#db/client";\n');
    write("db/client.ts", 'import "../app/a.js";\nexport const client = 1;\n');
    write("app/styled.ts", 'import "./look.css?url";\nimport "react";\nimport "./gone";\n');
    write("app/look.css", "");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("resolves the aliases, index files and type-only imports, and finds the circle", () => {
    const files = codeFiles(root, ["app", "db"]);
    expect(files).toEqual([
      "app/a.ts",
      "app/b.ts",
      "app/c/index.ts",
      "app/styled.ts",
      "db/client.ts",
      "db/tables.ts",
    ]);
    const { graph, unresolved } = readImportGraph(root, files, compilerOptionsOf(root));
    expect(graph.get("app/a.ts")).toEqual(["app/b.ts"]);
    expect(graph.get("app/c/index.ts")).toEqual(["db/tables.ts"]);
    expect(graph.get("app/styled.ts")).toEqual([]);
    // A style sheet and a package are not modules of the project; a missing file is said.
    expect(unresolved).toEqual([{ from: "app/styled.ts", specifier: "./gone" }]);
    expect(importCircles(graph)).toEqual([
      ["app/a.ts", "app/b.ts", "app/c/index.ts", "db/tables.ts", "db/client.ts", "app/a.ts"],
    ]);
  });
});

describe("the project's modules", () => {
  let files: string[];
  let reading: ReturnType<typeof readImportGraph>;
  beforeAll(() => {
    files = codeFiles(ROOT, PROJECT);
    reading = readImportGraph(ROOT, files, compilerOptionsOf(ROOT));
  });

  it("import each other without a circle", () => {
    const circles = importCircles(reading.graph).map((circle) => circle.join(" → "));
    expect(circles).toEqual([]);
  });

  it("are all read, their imports resolved", () => {
    expect(files.length).toBeGreaterThan(300);
    // The schema reads the words it stores from the vocabularies, type-only imports included.
    const { graph, unresolved } = reading;
    expect(graph.get("db/schema.ts")).toEqual(
      expect.arrayContaining(["app/consultations/vocabulary.ts", "app/classifier/classify.ts"]),
    );
    expect(graph.get("app/routes/doctor.cases.$id.tsx")).toContain("app/http/pipeline.server.ts");
    // Only the production build, which `npm run build` makes, may be missing.
    expect(unresolved.filter((u) => !u.specifier.startsWith("./build/"))).toEqual([]);
  });
});
