import type { Address } from "viem";
import { z } from "zod";

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte hex address")
  .transform((v) => v as Address);

/** Simulator options, validated once; every bad field is reported together. */
export const simulatorOptionsSchema = z
  .object({
    rpcUrl: z.string().url(),
    addresses: z.object({ teeRegistry: address, settlementRelay: address, attestationRegistry: address }),
    seed: z.string().min(1).default("attestation-explorer"),
    nodes: z.number().int().min(4).max(200).default(12),
    /** live: `rate` inferences per second, one block per `blockTime` seconds, forever (or `maxSteps`). */
    rate: z.number().positive().max(10_000).default(2),
    // Whole seconds: anvil takes integer block timestamps (evm_mine), and a fraction would reach them.
    blockTime: z.number().int().positive().max(60).default(1),
    maxSteps: z.number().int().positive().optional(),
    /** bulk: `inferences` lifecycles as fast as the chain takes them, `perBlock` new commits per block. */
    inferences: z.number().int().positive().optional(),
    perBlock: z.number().int().positive().max(20_000).default(250),
    /** bulk: simulated seconds between blocks. */
    blockInterval: z.number().int().min(1).max(86_400).default(300),
    /** bulk: simulated seconds between two heartbeats of a TEE (default 600; rounded to whole blocks). */
    heartbeatInterval: z.number().int().min(1).max(86_400).default(600),
    /** bulk: timestamp of the first simulated block (default: the chain head's + blockInterval). */
    startTime: z.number().int().positive().optional(),
    reorgEvery: z.number().int().positive().optional(),
    reorgDepth: z.number().int().min(1).max(64).default(3),
    groundTruthPath: z.string().optional(),
    /** Skip contract setup (roles, PCRs, TEEs, models, stake) when the chain already has it (a resumed devnet). */
    resume: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.reorgEvery !== undefined && o.reorgEvery <= o.reorgDepth + 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["reorgEvery"],
        message: `Got reorgEvery=${o.reorgEvery}, expected more than reorgDepth + 1 = ${o.reorgDepth + 1} blocks, so each new branch outgrows the old head before the next reorg`,
      });
    }
  });

export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;
export type ResolvedOptions = z.output<typeof simulatorOptionsSchema>;

export function parseSimulatorOptions(input: SimulatorOptions): ResolvedOptions {
  const result = simulatorOptionsSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(options)"}: ${i.message}`);
    throw new Error(`invalid simulator options:\n${lines.join("\n")}`);
  }
  return result.data;
}
