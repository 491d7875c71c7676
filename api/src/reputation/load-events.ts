import {
  type EventRow,
  reputationEventsSql,
  type SubjectEvent,
  subjectEvent,
} from "@attestation-explorer/rep-history";
import type { Db } from "../db/database.ts";

/** Events of each subject with block time <= until (unix seconds). */
export async function loadReputationEvents(
  db: Db,
  subject: "node" | "model",
  ids: readonly string[],
  until: number,
): Promise<Map<string, SubjectEvent[]>> {
  const rows = await db.query<EventRow>(reputationEventsSql(subject), [ids, until]);
  const out = new Map<string, SubjectEvent[]>(ids.map((id) => [id, []]));
  for (const r of rows) out.get(r.subject)?.push(subjectEvent(r));
  return out;
}
