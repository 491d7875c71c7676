// `require` resolving from this package, for the CommonJS build (cjs/): the module's own. package-require.ts is the
// ESM build's; package.json's "imports" map picks one per module system.
export const packageRequire: NodeJS.Require = require;
