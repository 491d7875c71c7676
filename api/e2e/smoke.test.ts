import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestApi, type TestApi } from "../src/testing/api-client.ts";
import { loadFixture } from "../src/testing/fixtures.ts";
import { openTestDatabase, type TestDatabase, testConfig } from "../src/testing/test-db.ts";

let tdb: TestDatabase;
let api: TestApi;
beforeAll(async () => {
  tdb = await openTestDatabase();
  await loadFixture(tdb.admin);
  api = await startTestApi(testConfig(), tdb.db, { connectionString: tdb.readerUrl });
});
afterAll(async () => {
  await api?.close();
  await tdb?.close();
});

test("smoke", async () => {
  const r = await api.gql(`{ indexerStatus { height lagBlocks } nodes(first: 3) { totalCount edges { cursor node { id uptime7d reputation { score effectiveSamples } counts { committed } } } } }`);
  console.log(JSON.stringify(r, null, 1).slice(0, 3000));
  expect(r.status).toBe(200);
});
