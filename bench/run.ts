// `npm run bench [-- name ...]`: runs the named benchmarks (all by default) and prints their figures.
const BENCHES: Record<string, () => Promise<void>> = {
  simulator: async () => (await import("./simulator.bench.ts")).run(),
  indexer: async () => (await import("./indexer.bench.ts")).run(),
  api: async () => (await import("./api/run.ts")).run(),
  web: async () => (await import("./web/run.ts")).run(),
  checks: async () => {
    await import("./checks.bench.ts");
  },
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) {
    throw new Error(
      `Got unknown benchmark(s) ${unknown.join(", ")}, expected some of: ${Object.keys(BENCHES).join(", ")}`,
    );
  }
  for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
    console.log(`== ${name}`);
    await BENCHES[name]();
  }
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
