// biome-ignore-all lint/suspicious/noExplicitAny: the API's answers are read as untyped JSON
/**
 * Search by the short forms the explorer shows, with suggestions as you type, charts with more than one bucket,
 * and the detail pages' words for what the API holds as codes and numbers (issue 11, part 2). Every expectation
 * is the API's answer.
 */
import { describe, expect, test } from "vitest";
import { waitForHydration } from "../support/browser.ts";
import { e2e, onPage, short } from "../support/context.ts";
import { searchBox, submitSearches } from "../support/search.ts";

/** What the API's search answers for q, as "Type:id". */
async function apiSearch(q: string): Promise<string[]> {
  const d = await e2e.stack.gql(
    `query($q: String!) { search(query: $q) { __typename ... on Node { id } ... on Model { id } ... on Inference { id } ... on Settlement { sid: id } ... on Slash { sid: id } } }`,
    { q },
  );
  return d.search.map((r: any) => `${r.__typename}:${r.sid ?? r.id}`);
}

/** The shortest prefix (0x + at least 6 digits) of `id` that the API answers with exactly that one hit. */
async function uniquePrefix(id: string, type: string): Promise<string> {
  for (let digits = 6; digits <= 16; digits += 2) {
    const prefix = id.slice(0, 2 + digits);
    const hits = await apiSearch(prefix);
    if (hits.length === 1 && hits[0] === `${type}:${id}`) return prefix;
  }
  throw new Error(`no prefix of ${id} up to 16 digits names it alone`);
}

export function searchAndChartTests(): void {
  describe("search by prefix, with suggestions", () => {
    test("typing the first digits of a node id suggests that node, and picking it opens its page", async () => {
      const nodeId = e2e.samples.nodeId;
      const prefix = nodeId.slice(0, 8);
      const expected = await apiSearch(prefix);
      expect(expected).toContain(`Node:${nodeId}`);
      await onPage("/", async ({ page }) => {
        await waitForHydration(page);
        await searchBox(page).pressSequentially(prefix, { delay: 30 });
        const list = page.getByRole("listbox", { name: "Suggestions" });
        await list.waitFor();
        const options = list.getByRole("option");
        // The suggestions are the API's hits for what was typed, in its order (at most 8).
        await expect.poll(() => options.count()).toBe(Math.min(expected.length, 8));
        const texts = await options.allTextContents();
        const index = expected.indexOf(`Node:${nodeId}`);
        expect(texts[index]).toContain(short(nodeId));
        expect(texts[index]).toMatch(/^Node/);
        // The keyboard picks it (focus stays in the box) and Enter opens it.
        for (let i = 0; i <= index; i++) await searchBox(page).press("ArrowDown");
        expect(await options.nth(index).getAttribute("aria-selected")).toBe("true");
        expect(await searchBox(page).getAttribute("aria-activedescendant")).toBe(
          await options.nth(index).getAttribute("id"),
        );
        await searchBox(page).press("Enter");
        await page.waitForURL((u) => u.pathname === `/nodes/${nodeId}`);
        await expect.poll(() => page.locator("h1").textContent()).toContain(nodeId);
      });
    });

    test("Escape closes the suggestions; a click on one opens it", async () => {
      const model = e2e.samples.model;
      await onPage("/", async ({ page }) => {
        await waitForHydration(page);
        await searchBox(page).pressSequentially(model.id.slice(0, 10), { delay: 30 });
        const list = page.getByRole("listbox", { name: "Suggestions" });
        await list.waitFor();
        await searchBox(page).press("Escape");
        await list.waitFor({ state: "hidden" });
        expect(await searchBox(page).inputValue()).toBe(model.id.slice(0, 10));
        await searchBox(page).press("Backspace");
        await list.waitFor();
        await list.getByRole("option", { name: new RegExp(`^Model ${escapeRegExp(model.name)}`) }).click();
        await page.waitForURL((u) => u.pathname === `/models/${model.id}`);
      });
    });

    test("submitting a prefix or the explorer's short form with exactly one hit goes straight to its page", async () => {
      const i = e2e.samples.teeInference;
      const nodePrefix = await uniquePrefix(i.node.id, "Node");
      const targets = [
        { q: nodePrefix, path: `/nodes/${i.node.id}` },
        // As the explorer prints an id (0x1234ab…cdef12), pasted back.
        { q: short(i.id), path: `/inferences/${i.id}` },
      ];
      for (const t of targets) expect((await apiSearch(t.q)).length, t.q).toBe(1);
      await onPage("/", async ({ page }) => {
        await submitSearches(page, targets);
      });
    });

    test("a prefix with several hits lists them all on the search page", async () => {
      // Among a thousand inference ids, some share their first 4 hex digits (the shortest prefix searched).
      const d = await e2e.stack.gql("{ inferences(first: 1000) { edges { node { id } } } }");
      const byPrefix = new Map<string, number>();
      for (const e of d.inferences.edges) {
        const p = (e.node.id as string).slice(0, 6);
        byPrefix.set(p, (byPrefix.get(p) ?? 0) + 1);
      }
      const q = [...byPrefix].find(([, n]) => n > 1)?.[0];
      if (!q) throw new Error("no two inference ids share their first 4 hex digits");
      const expected = await apiSearch(q);
      expect(expected.length).toBeGreaterThan(1);
      await onPage(`/search?q=${encodeURIComponent(q)}`, async ({ page }) => {
        const hrefs = await page
          .locator(".search-results li a")
          .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
        expect(hrefs).toHaveLength(expected.length);
        for (const hit of expected.filter((h) => h.startsWith("Inference:")))
          expect(hrefs).toContain(`/inferences/${hit.slice("Inference:".length)}`);
      });
    });
  });

  describe("charts", () => {
    test("the dashboard's default chart has more than one bucket, in the interval the data's span calls for", async () => {
      const d = await e2e.stack.gql(
        "{ networkHistory(interval: HOUR) { start } indexerStatus { timestamp } }",
      );
      const span = (Date.parse(d.indexerStatus.timestamp) - Date.parse(d.networkHistory[0].start)) / 1000;
      const interval = span <= 2 * 3600 ? "minute" : span <= 3 * 86_400 ? "hour" : "day";
      await onPage("/", async ({ page }) => {
        const figure = page.locator("figure.chart").filter({ hasText: "Inferences by outcome" });
        await expect.poll(() => figure.locator("figcaption").textContent()).toContain(`per ${interval}`);
        expect(await figure.locator(".chart-table tbody tr").count()).toBeGreaterThan(1);
        await waitForHydration(page);
        await figure.locator(".recharts-surface").first().waitFor();
      });
    });

    test("minute buckets: the interval control offers them, and the chart shows one bar per minute", async () => {
      const d = await e2e.stack.gql("{ networkHistory(interval: MINUTE) { start committed } }");
      expect(d.networkHistory.length).toBeGreaterThan(1);
      await onPage("/?interval=MINUTE", async ({ page }) => {
        const figure = page.locator("figure.chart").filter({ hasText: "Inferences by outcome" });
        expect(await figure.locator("figcaption").textContent()).toContain("per minute");
        expect(await figure.locator(".chart-table tbody tr").count()).toBe(d.networkHistory.length);
        expect(await page.locator("select[name=interval] option[value=MINUTE]").count()).toBe(1);
        // Commits by mode are per-period counts (stacked bars), so the table's rows add up to the API's commits.
        const commits = page.locator("figure.chart").filter({ hasText: "Commits by verification mode" });
        const cells = await commits
          .locator(".chart-table tbody tr")
          .evaluateAll((rows) =>
            rows.map((r) => [...r.querySelectorAll("td")].reduce((a, td) => a + Number(td.textContent), 0)),
          );
        expect(cells).toEqual(d.networkHistory.map((b: any) => b.committed));
      });
    });
  });
}

export function pageDetailTests(): void {
  describe("page details", () => {
    test("a settlement: the inferences it settles, its signed time against its block, its blob id as text", async () => {
      const id = e2e.samples.settlementId;
      const { settlement: s } = await e2e.stack.gql(
        `query($id: ID!) { settlement(id: $id) { timestampSeconds walrusBlobId block { timestamp } inferences { id } } }`,
        { id },
      );
      expect(s.inferences.map((i: any) => i.id)).toContain(e2e.samples.teeInference.id);
      const delta = Number(s.timestampSeconds) - Date.parse(s.block.timestamp) / 1000;
      await onPage(`/settlements/${encodeURIComponent(id)}`, async ({ page }) => {
        const settles = page.getByTestId("settles");
        const hrefs = await settles.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
        expect(hrefs).toEqual(s.inferences.map((i: any) => `/inferences/${i.id}`));
        const signed = (await page.getByTestId("signed-at").textContent()) ?? "";
        expect(signed).not.toContain(s.timestampSeconds);
        expect(signed).toMatch(
          delta === 0
            ? /signed in the same second as its block/
            : new RegExp(`signed .+ ${delta < 0 ? "before" : "after"} its block`),
        );
        const text = Buffer.from(s.walrusBlobId.slice(2), "hex").toString("utf8");
        const blob = page.locator("dt:text-is('Walrus blob id') + dd");
        if (s.walrusBlobId === "0x") expect(await blob.textContent()).toContain("none");
        else if (/^[\x20-\x7e]+$/.test(text)) {
          expect(await blob.locator("code").textContent()).toBe(text);
          expect(await blob.locator("code").getAttribute("title")).toBe(s.walrusBlobId);
        }
      });
    });

    test("a node: its TEE type by name, and uptime over its life while younger than 7 days", async () => {
      const id = e2e.samples.nodeId;
      const { node: n } = await e2e.stack.gql(
        `query($id: Bytes!) { node(id: $id) { teeType teeTypeName uptime7d uptimeWindows uptimeOverLife } }`,
        { id },
      );
      expect(n.teeTypeName).toBeTruthy();
      await onPage(`/nodes/${id}`, async ({ page }) => {
        expect(await page.getByTestId("tee-type").textContent()).toBe(n.teeTypeName);
        const label = await page.locator("dt", { has: page.locator("text=/^Uptime/") }).textContent();
        const uptime = (await page.getByTestId("uptime").textContent()) ?? "";
        if (n.uptimeWindows < 336) {
          expect(label).toBe("Uptime (since it registered)");
          expect(uptime).toContain("over its life");
          expect(uptime).toContain(`${n.uptimeWindows} of the 336 half-hours`);
        } else {
          expect(label).toBe("Uptime (7 days)");
        }
      });
    });

    test("the in-browser check names its inputs from the API and sets its results against the chain's verdict", async () => {
      const i = e2e.samples.teeInference;
      await onPage(`/inferences/${i.id}`, async ({ page }) => {
        await waitForHydration(page);
        const panel = page.getByRole("region", { name: "Check it yourself" });
        expect(await panel.getByTestId("inputs-from-api").textContent()).toMatch(
          /Inputs from the explorer's API.*salt of the reveal.*commitment of the commit.*public key registered for the TEE id/,
        );
        const run = panel.getByRole("button", { name: "Run the checks in this browser" });
        await run.click();
        const chain = panel.locator("[data-check='chain']");
        await expect
          .poll(() => chain.textContent())
          .toBe(
            "The chain says VERIFIED, and your browser's commitment and TEE signature checks support it.",
          );
        const salt = panel.getByRole("textbox", { name: "Salt" });
        const value = await salt.inputValue();
        await salt.fill(`${value.slice(0, 10)}${value[10] === "0" ? "1" : "0"}${value.slice(11)}`);
        await run.click();
        await expect
          .poll(() => chain.textContent())
          .toContain("The chain says VERIFIED, but your browser finds");
        expect(await chain.textContent()).toContain("a discrepancy");
        expect(await chain.getAttribute("class")).toContain("disagree");
      });
    });

    test("an inference list's check badges carry their names and an icon, not only their position", async () => {
      await onPage("/inferences", async ({ page }) => {
        const first = page.locator("tbody tr").first();
        const badges = await first.locator(".badge[class*='check-']").allTextContents();
        expect(badges).toHaveLength(4);
        expect(badges.map((b) => b.split(" ")[1])).toEqual(["commit", "reveal", "sig", "PCR"]);
        for (const b of badges) expect(b).toMatch(/^[✓✗?–] /);
      });
    });
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
