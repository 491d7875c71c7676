// Builders for the handlers' unit tests: events at chain positions, applied to an in-memory BatchState.
//
// The entity classes need emitDecoratorMetadata, which vitest's transform cannot emit: the tests run the
// compiled mapping (lib/, built here by `tsc -b`, incrementally, so it is always the current source's).
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, rmdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { type Hex, keccak256, toHex } from "viem";
import { type TeeSigningKey, teeKeyFromPrivateKey } from "../../../../devnet/src/crypto/rsa-keygen.ts";
import type { ChainEvent, PositionedEvent } from "../decode-logs";
import type { BatchState } from "../state";

const PROJECT_DIR = resolve(__dirname, "../../..");

/** `tsc -b` of the indexer, one test file at a time (they run in parallel workers). */
function buildOnce(): void {
  const lock = join(PROJECT_DIR, "lib", ".handlers-test-build.lock");
  mkdirSync(join(PROJECT_DIR, "lib"), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 300_000) throw new Error(`${lock} held for 5 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    const r = spawnSync("npx", ["tsc", "-b", PROJECT_DIR], { stdio: "inherit" });
    if (r.status !== 0) throw new Error("building the indexer failed");
  } finally {
    rmdirSync(lock);
  }
}
buildOnce();
const load = createRequire(__filename);
const lib = (path: string) => load(join(PROJECT_DIR, "lib", path));

export const model = lib("model") as typeof import("../../model");
const { BatchState: State } = lib("mapping/state") as typeof import("../state");
const { mapEvents } = lib("mapping/batch-mapper") as typeof import("../batch-mapper");
export const { teeInfoKey } = lib("mapping/tee-info") as typeof import("../tee-info");

/** An empty batch state: nothing loaded from the database. */
export const newState = (): BatchState => new State();

/** Block `block`'s time: a fixed origin plus 12 s a block. */
export const blockTime = (block: number) => 1_764_000_000 + block * 12;

/** `event` as logged at log index `logIndex` of block `block` (one transaction per log). */
export function at(block: number, event: ChainEvent, logIndex = 0): PositionedEvent {
  const ts = blockTime(block);
  return {
    ...event,
    pos: {
      block,
      blockHash: keccak256(toHex(`block ${block}`)),
      at: new Date(ts * 1000),
      ts,
      tx: keccak256(toHex(`tx ${block}-${logIndex}`)),
      logIndex,
    },
  } as PositionedEvent;
}

/** Maps the events onto `state` (the batch mapper's dispatch) and returns it. */
export function apply(state: BatchState, ...events: PositionedEvent[]): BatchState {
  mapEvents(state, events);
  return state;
}

/** A fresh RSA TEE key (teeId = keccak256 of its spki DER). */
export function newTeeKey(): TeeSigningKey {
  return teeKeyFromPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
}

export const hash = (label: string): Hex => keccak256(toHex(label));
