/**
 * How a node behaves. Shares are per inference; they shape the traffic the indexer must judge.
 * - honest: reveals on time with the right salt; the verifier agrees ~99% of the time.
 * - flaky: misses reveal deadlines (expired, REVEAL_TIMEOUT slash), sometimes reveals late, skips heartbeats.
 * - malicious: reveals with a wrong salt (FAILED + REVEAL_MISMATCH slash), forges settlement signatures and
 *   heartbeats; now and then the verifier wrongly says VERIFIED (a discrepancy the indexer must find).
 * - ghost: stakes and serves VANILLA/ZKML models but never registers as a TEE (the indexer must still create it).
 */
export type NodeProfile = "honest" | "flaky" | "malicious" | "ghost";

export interface ProfileShares {
  /** Never reveals: the inference is expired and the node slashed for the timeout. */
  noReveal: number;
  /** Reveals after the deadline (before anyone expired it): revealOnTime FAIL. */
  lateReveal: number;
  /** Reveals a salt that does not open the commitment. */
  wrongSalt: number;
  /** Of the wrong-salt reveals, the share the verifier nevertheless marks VERIFIED. */
  wrongSaltVerified: number;
  /** Correct reveal that the verifier marks FAILED (model output judged wrong). */
  verifierFails: number;
  /** Settlement signatures that do not verify. */
  forgedSignature: number;
  /** Settlements whose signed timestamp is far from the block time (freshness FAIL). */
  staleTimestamp: number;
  /** Heartbeats skipped. */
  skipHeartbeat: number;
  /** Heartbeats with a signature that does not verify. */
  badHeartbeat: number;
  /** Chance that a revealed inference is challenged, and that the node is then found at fault. */
  challenged: number;
  atFault: number;
}

export const PROFILE_SHARES: Record<NodeProfile, ProfileShares> = {
  honest: {
    noReveal: 0,
    lateReveal: 0,
    wrongSalt: 0,
    wrongSaltVerified: 0,
    verifierFails: 0.01,
    forgedSignature: 0,
    staleTimestamp: 0.002,
    skipHeartbeat: 0.02,
    badHeartbeat: 0,
    challenged: 0.004,
    atFault: 0.1,
  },
  flaky: {
    noReveal: 0.2,
    lateReveal: 0.05,
    wrongSalt: 0,
    wrongSaltVerified: 0,
    verifierFails: 0.02,
    forgedSignature: 0,
    staleTimestamp: 0.02,
    skipHeartbeat: 0.4,
    badHeartbeat: 0,
    challenged: 0.01,
    atFault: 0.3,
  },
  malicious: {
    noReveal: 0.02,
    lateReveal: 0,
    wrongSalt: 0.3,
    wrongSaltVerified: 0.15,
    verifierFails: 0.02,
    forgedSignature: 0.3,
    staleTimestamp: 0.02,
    skipHeartbeat: 0.1,
    badHeartbeat: 0.2,
    challenged: 0.05,
    atFault: 0.8,
  },
  ghost: {
    noReveal: 0.01,
    lateReveal: 0,
    wrongSalt: 0,
    wrongSaltVerified: 0,
    verifierFails: 0.01,
    forgedSignature: 0,
    staleTimestamp: 0,
    skipHeartbeat: 1,
    badHeartbeat: 0,
    challenged: 0.004,
    atFault: 0.1,
  },
};

/** Default mix for n nodes: mostly honest, with at least one of each faulty kind once n >= 4. */
export function defaultProfiles(n: number): NodeProfile[] {
  const out: NodeProfile[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 1) out.push("flaky");
    else if (i === 2) out.push("malicious");
    else if (i === 3) out.push("ghost");
    else if (i > 4 && i % 5 === 0) out.push("flaky");
    else if (i > 4 && i % 7 === 0) out.push("malicious");
    else out.push("honest");
  }
  return out;
}
