// Rewrites a bundle's top-level `import … from "node:…"` into bindings that load the module on first
// use (process.getBuiltinModule): Deno loads every static import before any code runs, and the
// bundler hoists the `node:` imports of lazily initialised modules to the top, so `salvo --version`
// paid for `node:fs`, `node:tls`, `node:crypto` … that only a run uses.

/**
 * Loads each module once. A binding is a Proxy over a constructor-shaped target that forwards every
 * use to the loaded value: property reads (a namespace's members as they are, so its classes can be
 * extended; an object's methods bound to it, so they keep their receiver), calls, `new` and `extends`.
 */
const prelude = `const __nodeModules = new Map();
const __nodeModule = (s) => {
  let m = __nodeModules.get(s);
  if (m === undefined) __nodeModules.set(s, m = globalThis.process.getBuiltinModule(s));
  return m;
};
const __lazyNode = (s, pick, namespace) => new Proxy(function () {}.bind(), {
  get: (_, k) => {
    const v = pick(__nodeModule(s));
    const p = v[k];
    return !namespace && typeof p === "function" && k !== "constructor" && k !== "prototype" &&
        !/^class[\\s{]/.test(Function.prototype.toString.call(p))
      ? p.bind(v)
      : p;
  },
  set: (_, k, x) => (pick(__nodeModule(s))[k] = x, true),
  has: (_, k) => k in pick(__nodeModule(s)),
  apply: (_, self, args) => Reflect.apply(pick(__nodeModule(s)), self, args),
  construct: (_, args, target) => Reflect.construct(pick(__nodeModule(s)), args, target),
});
`;

const specifier = `"(node:[\\w/]+)"`;

export const lazyNodeImports = (code: string): string =>
  prelude +
  code
    .replace(
      new RegExp(`^import \\* as (\\w+) from ${specifier};$`, "gm"),
      (_, name: string, s: string) =>
        `var ${name} = __lazyNode(${JSON.stringify(s)}, (m) => m, true);`,
    )
    .replace(
      new RegExp(`^import (\\w+) from ${specifier};$`, "gm"),
      (_, name: string, s: string) =>
        `var ${name} = __lazyNode(${JSON.stringify(s)}, (m) => m.default ?? m, false);`,
    )
    .replace(
      new RegExp(`^import \\{([^}]*)\\} from ${specifier};$`, "gm"),
      (_, list: string, s: string) =>
        "var " + list.split(",").map((x) => x.trim()).filter((x) => x !== "").map((x) => {
          const [exported, local] = x.split(/\s+as\s+/);
          return `${local ?? exported} = __lazyNode(${
            JSON.stringify(s)
          }, (m) => m.${exported}, false)`;
        }).join(", ") + ";",
    )
    // esbuild's require for CommonJS modules, made when first called.
    .replace(
      "var __require = __deno_internal_createRequire(import.meta.url);",
      "var __require = (...a) => __deno_internal_createRequire(import.meta.url)(...a);",
    );
