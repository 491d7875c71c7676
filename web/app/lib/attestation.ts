import type { AttestationFragment as Attestation, Check } from "~/generated/graphql";
import type { AttestationVerification, StepId } from "./nitro";

// The browser's re-verification of an attestation document set beside the indexer's verdict, step by step.
// The indexer gives one verdict (its status, and for FAIL the first failure in words), so what it says of each
// step is derived: PASS means every step passed; NOT_APPLICABLE (a devnet document) and UNKNOWN (no document)
// hold for every signed step; a FAIL is laid on the step its reason names, and the other steps get no claim.

/** The steps of the comparison: the browser's five, the document's freshness at its registration block, and two
 * the browser cannot recheck alone (approval is the registry's state at the registration block). */
export type RowId = StepId | "freshness" | "approval" | "verdict";

export interface ComparedRow {
  id: RowId;
  name: string;
  /** This browser's result; null when the browser does not check it. */
  browser: Check | null;
  /** What the indexer's verdict says of this step; null when it says nothing of it. */
  indexer: Check | null;
  /** null when there is nothing to compare. */
  agree: boolean | null;
  detail: string;
}

/** How far the document's time may be from its registration block's (og-evm's rule, as the indexer applies it). */
export const MAX_AGE_SECONDS = 300;
export const MAX_SKEW_SECONDS = 60;

/** The step an indexer's FAIL reason names (best effort on its wording), or null. */
export function stepNamedByReason(reason: string | null | undefined): RowId | null {
  if (!reason) return null;
  const r = reason.toLowerCase();
  if (/user_data|tls certificate|signing key/.test(r)) return "binding";
  if (/approved/.test(r)) return "approval";
  if (/registration block|og-evm accepts/.test(r)) return "freshness";
  if (/cose signature|es384/.test(r)) return "signature";
  if (/\bpcr/.test(r)) return "pcrs";
  if (/certificate|chain|root|cabundle/.test(r)) return "chain";
  if (/signature/.test(r)) return "signature";
  return "decode";
}

const SIGNED_STEPS: RowId[] = ["decode", "signature", "chain", "binding", "freshness"];

function indexerClaim(a: Attestation, id: RowId): Check | null {
  switch (a.status) {
    case "PASS":
      return "PASS";
    case "UNKNOWN":
      return id === "approval" ? null : "UNKNOWN";
    case "NOT_APPLICABLE":
      if (id === "pcrs") return a.pcrHash ? "PASS" : null;
      return SIGNED_STEPS.includes(id) ? "NOT_APPLICABLE" : null;
    case "FAIL":
      return stepNamedByReason(a.reason) === id ? "FAIL" : null;
  }
}

function sameTime(a: Date | null, b: string | null): boolean {
  return a !== null && b !== null && a.getTime() === Date.parse(b);
}

/** The document's time against its registration block's: [block − 300 s, block + 60 s]. */
export function freshness(
  documentTime: Date | null,
  blockTimestamp: string | null | undefined,
): { result: Check; detail: string } {
  if (!documentTime || !blockTimestamp) {
    return { result: "UNKNOWN", detail: "the document's time or the registration block's is not known" };
  }
  const age = (Date.parse(blockTimestamp) - documentTime.getTime()) / 1000;
  const when = documentTime.toISOString();
  if (age > MAX_AGE_SECONDS) {
    return {
      result: "FAIL",
      detail: `the document (${when}) is ${age} s older than the registration block, more than ${MAX_AGE_SECONDS} s`,
    };
  }
  if (-age > MAX_SKEW_SECONDS) {
    return {
      result: "FAIL",
      detail: `the document (${when}) is ${-age} s later than the registration block, more than ${MAX_SKEW_SECONDS} s`,
    };
  }
  return {
    result: "PASS",
    detail: `the document (${when}) is ${age} s before the registration block (${blockTimestamp}): within ${MAX_AGE_SECONDS} s back and ${MAX_SKEW_SECONDS} s forward`,
  };
}

/** Every row: the browser's steps, freshness, PCR approval (the indexer's alone), and the overall verdict. */
export function compareWithIndexer(v: AttestationVerification, a: Attestation): ComparedRow[] {
  const rows: ComparedRow[] = [];
  const push = (id: RowId, name: string, browser: Check | null, detail: string, extraAgree = true) => {
    const indexer = indexerClaim(a, id);
    const agree = browser === null || indexer === null ? null : browser === indexer && extraAgree;
    rows.push({ id, name, browser, indexer, agree, detail });
  };
  for (const s of v.steps) {
    let detail = s.detail;
    let valuesAgree = true;
    if (s.id === "decode" && v.format === "NITRO" && s.result === "PASS") {
      const sameModule = v.moduleId === a.moduleId;
      const sameWhen = sameTime(v.timestamp, a.timestamp);
      valuesAgree = sameModule && sameWhen;
      detail += sameModule
        ? "; module id as the indexer read it"
        : `; the indexer read module id ${a.moduleId}`;
      detail += sameWhen ? "; time as the indexer read it" : `; the indexer read the time ${a.timestamp}`;
    }
    if (s.id === "pcrs" && v.pcrHash) {
      valuesAgree = a.pcrHash === null || a.pcrHash.toLowerCase() === v.pcrHash;
      detail += a.pcrHash
        ? valuesAgree
          ? ", the indexer's PCR hash"
          : `, not the indexer's ${a.pcrHash}`
        : "; the indexer has no PCR hash";
    }
    push(s.id, s.name, s.result, detail, valuesAgree);
  }
  if (v.format === "NITRO") {
    const f = freshness(v.timestamp, a.registered?.timestamp);
    push(
      "freshness",
      `Fresh at the registration block (${MAX_AGE_SECONDS} s back, ${MAX_SKEW_SECONDS} s forward)`,
      f.result,
      f.detail,
    );
  } else if (v.format === "DEVNET") {
    push("freshness", "Fresh at the registration block", "NOT_APPLICABLE", "a devnet document has no time");
  }
  if (v.format === "NITRO" || (a.status === "FAIL" && stepNamedByReason(a.reason) === "approval")) {
    rows.push({
      id: "approval",
      name: "PCR hash approved for the TEE type at the registration block",
      browser: null,
      indexer: indexerClaim(a, "approval"),
      agree: null,
      detail:
        "the registry's approvals at that block: not rechecked in this browser (the node's identity shows whether the hash is approved now)",
    });
  }
  // The verdict: the browser's steps and freshness; a failure the browser does not check is not a disagreement.
  const checked = rows.filter((r) => r.browser !== null);
  const failed = checked.find((r) => r.browser === "FAIL");
  let browser: Check;
  if (failed) browser = "FAIL";
  else if (v.format === "DEVNET") browser = "NOT_APPLICABLE";
  else if (checked.length > 0 && checked.every((r) => r.browser === "PASS")) browser = "PASS";
  else browser = "UNKNOWN";
  const onlyIndexerChecks = a.status === "FAIL" && stepNamedByReason(a.reason) === "approval";
  const detail = failed
    ? `first failure in this browser: ${failed.name}`
    : onlyIndexerChecks
      ? "the indexer's failure is the PCR approval, which this browser does not recheck"
      : browser === "PASS"
        ? "every step this browser checks passes"
        : browser === "NOT_APPLICABLE"
          ? "a devnet document: nothing signed to verify"
          : "not every step could be checked here";
  rows.push({
    id: "verdict",
    name: "Verdict",
    browser,
    indexer: a.status,
    agree: onlyIndexerChecks && browser === "PASS" ? null : browser === a.status,
    detail: a.reason ? `${detail}; the indexer's reason: ${a.reason}` : detail,
  });
  return rows;
}
