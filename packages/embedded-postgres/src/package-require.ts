// `require` resolving from this package, for the ESM build (dist/). The CommonJS build (cjs/) gets
// package-require-cjs.ts instead: package.json's "imports" map picks one per module system, as "exports" does for
// the whole package, because `import.meta` only exists in ES modules.
import { createRequire } from "node:module";

export const packageRequire: NodeJS.Require = createRequire(import.meta.url);
