// Answers that never go backwards when the API runs as several replicas on Postgres streaming replicas that lag
// by different amounts (docs/deploy.md, "Replicas"). Every API answer says the indexed height it was computed
// from (X-Indexed-Height); this server keeps the highest one it has been given and sends it with every request
// (X-Min-Height). An API replica behind it waits for its replay and otherwise answers 503 with its own height:
// the request is then tried again (through a load balancer, likely on another replica). One explorer process
// keeps one height for all its visitors: what one visitor has seen, no later page of anyone's goes back on.

const INDEXED_HEIGHT = "x-indexed-height";
/** Further tries of a request a replica could not answer at the height already shown. */
export const BEHIND_RETRIES = 2;

let highest = 0;

/** The X-Min-Height header for the next API request (none before the first answer). */
export function minHeightHeaders(): Record<string, string> {
  return highest > 0 ? { "x-min-height": String(highest) } : {};
}

/** Remembers an answer's X-Indexed-Height if it is the highest yet. */
export function noteIndexedHeight(headers: Headers): void {
  const height = Number(headers.get(INDEXED_HEIGHT) ?? Number.NaN);
  if (Number.isSafeInteger(height) && height > highest) highest = height;
}

/** The API replica has not replayed up to the height this server already showed: try again. */
export function isBehind(res: Response): boolean {
  if (res.status !== 503) return false;
  const height = Number(res.headers.get(INDEXED_HEIGHT) ?? Number.NaN);
  return Number.isSafeInteger(height) && height < highest;
}

/** The highest height seen (server tests). */
export function highestIndexedHeight(): number {
  return highest;
}
