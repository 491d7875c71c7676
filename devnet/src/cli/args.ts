import { parseArgs } from "node:util";

/** Command-line flags shared by `npm run devnet` and `npm run simulate`. */
export function parseSimulatorFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seed: { type: "string" },
      nodes: { type: "string" },
      rate: { type: "string" },
      "block-time": { type: "string" },
      "max-steps": { type: "string" },
      inferences: { type: "string" },
      "per-block": { type: "string" },
      "block-interval": { type: "string" },
      "start-time": { type: "string" },
      "reorg-every": { type: "string" },
      "reorg-depth": { type: "string" },
      "ground-truth": { type: "string" },
      port: { type: "string" },
      rpc: { type: "string" },
      fresh: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const num = (name: keyof typeof values): number | undefined => {
    const v = values[name];
    if (v === undefined || typeof v === "boolean") return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`Got --${name}=${v}, expected a number`);
    return n;
  };
  return {
    help: values.help === true,
    fresh: values.fresh === true,
    port: num("port"),
    rpc: values.rpc,
    sim: {
      seed: values.seed,
      nodes: num("nodes"),
      rate: num("rate"),
      blockTime: num("block-time"),
      maxSteps: num("max-steps"),
      inferences: num("inferences"),
      perBlock: num("per-block"),
      blockInterval: num("block-interval"),
      startTime: num("start-time"),
      reorgEvery: num("reorg-every"),
      reorgDepth: num("reorg-depth"),
      groundTruthPath: values["ground-truth"],
    },
  };
}

export const SIMULATOR_FLAGS_HELP = `Simulator flags:
  --seed S              deterministic seed (default attestation-explorer)
  --nodes N             TEE nodes, at least 4 (default 12)
  --rate R              live: inferences per second (default 2)
  --block-time S        live: seconds per block (default 1)
  --max-steps N         live: stop after N blocks (default: run until Ctrl-C)
  --inferences N        bulk: N full lifecycles as fast as the chain takes them, then stop
  --per-block N         bulk: new commits per block (default 250)
  --block-interval S    bulk: simulated seconds between blocks (default 300)
  --start-time T        bulk: unix time of the first simulated block
  --reorg-every N       inject a reorg every N blocks
  --reorg-depth K       replace up to K blocks per reorg (default 3)
  --ground-truth FILE   write one NDJSON line per transaction (kind, ids, block, expected outcome)`;
