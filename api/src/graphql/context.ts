import { replayAsOf } from "@attestation-explorer/rep-history";
import type { Reputation } from "@attestation-explorer/rep-v1";
import DataLoader from "dataloader";
import { latestChallengeByInferenceIds, settlementsByIds, slashesByInferenceIds } from "../data/activity.ts";
import { attestationsByNodeIds } from "../data/attestations.ts";
import { type IndexerStateRow, latestBlockTime, readIndexerState } from "../data/indexer-state.ts";
import { inferencesByIds, inferencesBySettlementIds } from "../data/inferences.ts";
import type {
  AttestationModel,
  ChallengeModel,
  InferenceModel,
  ModelModel,
  NodeModel,
  SettlementModel,
  SlashModel,
} from "../data/models.ts";
import { distinctNodes30dAtLatest, modelsByIds } from "../data/models-list.ts";
import { pcrApproval, teeTypeNames, uptimes } from "../data/node-extras.ts";
import { nodesByIds } from "../data/nodes.ts";
import type { Db } from "../db/database.ts";
import { loadReputationEvents } from "../reputation/load-events.ts";
import type { Hub } from "../subscriptions/hub.ts";

// Per-request context (STYLE.md): DataLoaders built for each request, so no resolver queries once per parent
// row, and the indexer's position read at most once per request (every default asOf of one answer agrees).

export interface Loaders {
  node: DataLoader<string, NodeModel | null>;
  /** By TEE id. */
  attestation: DataLoader<string, AttestationModel | null>;
  model: DataLoader<string, ModelModel | null>;
  inference: DataLoader<string, InferenceModel | null>;
  settlement: DataLoader<string, SettlementModel | null>;
  latestChallenge: DataLoader<string, ChallengeModel | null>;
  slashesOfInference: DataLoader<string, SlashModel[]>;
  /** key `${pcrHash}|${teeType}` */
  pcrApproved: DataLoader<string, boolean>;
  /** By TEE type id: the name the registry gave it (null when never added). */
  teeTypeName: DataLoader<number, string | null>;
  /** By settlement id: the inferences it settles. */
  inferencesOfSettlement: DataLoader<string, InferenceModel[]>;
  /** Per asOf (unix seconds). */
  uptime: (asOf: number) => DataLoader<string, number>;
  distinctNodes30d: DataLoader<string, number>;
  /** Replayed reputation as of an earlier time, per subject kind and asOf. */
  replay: (subject: "node" | "model", asOf: number) => DataLoader<string, Reputation>;
}

/** What one answer reads consistently: an HTTP request, or one batch of indexer updates for subscriptions. */
export interface Scope {
  loaders: Loaders;
  /** The indexer's position, read once per scope. */
  indexerState: () => Promise<IndexerStateRow | null>;
  /** The default asOf: the latest indexed block's time (unix seconds). */
  latestTime: () => Promise<number>;
}

export interface Context extends Scope {
  db: Db;
  /** Subscriptions' source of indexer updates (WebSocket operations only). */
  hub?: Hub;
}

function byId<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const found = new Map((await load(ids)).map((x) => [x.id, x]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

function memo<K, V>(make: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = make(key);
      cache.set(key, v);
    }
    return v;
  };
}

export function createLoaders(db: Db, latestTime: () => Promise<number>): Loaders {
  const replayLoaders = memo((key: string) => {
    const [subject, asOfText] = key.split("@") as ["node" | "model", string];
    const asOf = Number(asOfText);
    return new DataLoader<string, Reputation>(async (ids) => {
      const events = await loadReputationEvents(db, subject, ids, asOf);
      return ids.map((id) => replayAsOf(events.get(id) ?? [], asOf, subject));
    });
  });
  return {
    node: byId((ids) => nodesByIds(db, ids)),
    attestation: byId((ids) => attestationsByNodeIds(db, ids)),
    model: byId((ids) => modelsByIds(db, ids)),
    inference: byId((ids) => inferencesByIds(db, ids)),
    settlement: byId((ids) => settlementsByIds(db, ids)),
    latestChallenge: new DataLoader(async (ids) => {
      const found = await latestChallengeByInferenceIds(db, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    slashesOfInference: new DataLoader(async (ids) => {
      const found = await slashesByInferenceIds(db, ids);
      return ids.map((id) => found.get(id) ?? []);
    }),
    teeTypeName: new DataLoader(async (typeIds) => {
      const found = await teeTypeNames(db, typeIds);
      return typeIds.map((t) => found.get(t) ?? null);
    }),
    inferencesOfSettlement: new DataLoader(async (ids) => {
      const found = await inferencesBySettlementIds(db, ids);
      return ids.map((id) => found.get(id) ?? []);
    }),
    pcrApproved: new DataLoader(async (keys) => {
      const found = await pcrApproval(db, keys, await latestTime());
      return keys.map((k) => found.get(k) ?? false);
    }),
    uptime: memo(
      (asOf: number) =>
        new DataLoader<string, number>(async (ids) => {
          const found = await uptimes(db, ids, asOf);
          return ids.map((id) => found.get(id) ?? 0);
        }),
    ),
    distinctNodes30d: new DataLoader(async (ids) => {
      const found = await distinctNodes30dAtLatest(db, ids, await latestTime());
      return ids.map((id) => found.get(id) ?? 0);
    }),
    replay: (subject, asOf) => replayLoaders(`${subject}@${asOf}`),
  };
}

/** `known`: the indexer's position when the caller has read it already (it is then not read again). */
export function createScope(db: Db, known?: IndexerStateRow | null): Scope {
  let state: Promise<IndexerStateRow | null> | undefined =
    known === undefined ? undefined : Promise.resolve(known);
  const indexerState = () => {
    state ??= readIndexerState(db);
    return state;
  };
  const latestTime = async () => latestBlockTime(await indexerState());
  return { indexerState, latestTime, loaders: createLoaders(db, latestTime) };
}

export function createContext(db: Db, hub?: Hub, known?: IndexerStateRow | null): Context {
  return { db, hub, ...createScope(db, known) };
}
