/**
 * The result of a check the indexer performs itself, independently of what the chain claims (api.graphql
 * `enum Check`; the rules are in spec/README.md, "its own checks").
 * - PASS / FAIL: the check was made and the row passed or failed it;
 * - UNKNOWN: the check applies but cannot be made yet (e.g. the TEE's key is not known);
 * - NOT_APPLICABLE: the check does not apply to this row (e.g. a TEE check on a VANILLA inference, or a
 *   commitment check before the reveal).
 */
export type Check = "PASS" | "FAIL" | "UNKNOWN" | "NOT_APPLICABLE";

export const CHECK_VALUES: readonly Check[] = ["PASS", "FAIL", "UNKNOWN", "NOT_APPLICABLE"];

export function isCheck(value: unknown): value is Check {
  return value === "PASS" || value === "FAIL" || value === "UNKNOWN" || value === "NOT_APPLICABLE";
}

/** PASS for true, FAIL for false. */
export function passIf(ok: boolean): Check {
  return ok ? "PASS" : "FAIL";
}

/** Whether any of the checks is FAIL (UNKNOWN and NOT_APPLICABLE are not failures). */
export function anyFail(checks: Iterable<Check>): boolean {
  for (const check of checks) if (check === "FAIL") return true;
  return false;
}
