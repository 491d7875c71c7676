// biome-ignore-all lint/suspicious/noExplicitAny: the API's answers are read as untyped JSON
/**
 * What a visitor does on the explorer: sort and page the leaderboard, search, follow an inference's trail, run
 * the in-browser checks (and forge a signature), meet a hostile model name, an unknown id, a dead API, and use the
 * keyboard. Every expectation is the API's answer or the chain's.
 */
import { freePort } from "@attestation-explorer/testkit/net";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { slashReasonWords } from "../../app/models/enums.ts";
import { screenshot, waitForHydration } from "../support/browser.ts";
import { e2e, eth, int, onPage, open } from "../support/context.ts";
import { searchBox, submitSearches } from "../support/search.ts";
import { HOSTILE_MODEL } from "../support/stack.ts";
import { background, saveVariants } from "./pages.ts";

const nodeIds = (page: Page) =>
  page.locator("tr[data-node-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-node-id")));

async function apiNodes(orderBy: string, after: string | null = null) {
  const d = await e2e.stack.gql(
    `query($orderBy: NodeOrderBy!, $after: String) { nodes(first: 25, after: $after, orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
    { orderBy, after },
  );
  return { ...d.nodes, ids: d.nodes.edges.map((e: any) => e.node.id as string) };
}

export function leaderboardTests(): void {
  describe("node leaderboard", () => {
    test("sorting by a column header or the order select shows the API's order", async () => {
      await onPage("/nodes", async ({ page }) => {
        await waitForHydration(page);
        const seen = new Set<string>();
        const expectOrder = async (orderBy: string) => {
          await page.waitForURL((u) => u.searchParams.get("order") === orderBy);
          const want = (await apiNodes(orderBy)).ids;
          await expect.poll(() => nodeIds(page), { timeout: 10_000 }).toEqual(want);
          seen.add(want.join());
        };
        expect(await nodeIds(page)).toEqual((await apiNodes("SCORE_DESC")).ids);
        seen.add((await nodeIds(page)).join());

        await page.getByRole("link", { name: "Sort by Stake descending" }).click();
        await expectOrder("STAKE_DESC");
        expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain("Stake");

        await page.getByRole("link", { name: "Sort by Slashed descending" }).click();
        await expectOrder("SLASHED_DESC");

        // Score: the first click sorts descending, the second ascending.
        await page.getByRole("link", { name: "Sort by Score descending" }).click();
        await expectOrder("SCORE_DESC");
        await page.getByRole("link", { name: "Sort by Score ascending" }).click();
        await expectOrder("SCORE_ASC");
        expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain("Score");

        // The order select of the filter form.
        await page.getByLabel("Order", { exact: true }).selectOption("INFERENCES_DESC");
        await page.getByRole("button", { name: "Apply" }).click();
        await expectOrder("INFERENCES_DESC");

        // The orders really differ (the network has a spread of scores, stakes and slashes).
        expect(seen.size).toBeGreaterThanOrEqual(4);
      });
    });

    test("Next page shows the API's next rows, without repeats, keeping the order", async () => {
      await onPage("/nodes?order=STAKE_DESC", async ({ page }) => {
        await waitForHydration(page);
        const first = await apiNodes("STAKE_DESC");
        expect(first.totalCount).toBeGreaterThan(25);
        expect(await nodeIds(page)).toEqual(first.ids);
        const pager = page.getByRole("navigation", { name: "nodes pages" });
        await pager.getByRole("link", { name: "Next page" }).click();
        await page.waitForURL((u) => u.searchParams.has("after"));
        expect(new URL(page.url()).searchParams.get("order")).toBe("STAKE_DESC");
        const second = await apiNodes("STAKE_DESC", first.pageInfo.endCursor);
        await expect.poll(() => nodeIds(page)).toEqual(second.ids);
        const shown = await nodeIds(page);
        expect(shown.filter((id) => first.ids.includes(id as string))).toEqual([]);
        expect(new Set([...first.ids, ...shown]).size).toBe(first.totalCount);
        // Ranks go on from the first page.
        const ranks = await page.locator("tr[data-node-id] td:first-child").allTextContents();
        expect(ranks).toEqual(shown.map((_, i) => String(26 + i)));
        expect(await pager.textContent()).toContain(
          `26–${25 + shown.length} of ${int(first.totalCount)} nodes · page 2 of 2`,
        );
        expect(await pager.getByRole("link", { name: "Next page" }).count()).toBe(0);
        await pager.getByRole("link", { name: "First page" }).click();
        await expect.poll(() => nodeIds(page)).toEqual(first.ids);
      });
    });

    test("the inference list pages through the API's rows too", async () => {
      await onPage("/inferences", async ({ page }) => {
        await waitForHydration(page);
        const ids = () =>
          page
            .locator("tr[data-inference-id]")
            .evaluateAll((rs) => rs.map((r) => r.getAttribute("data-inference-id")));
        const q = `query($after: String) { inferences(first: 50, after: $after) { pageInfo { endCursor } edges { node { id } } } }`;
        const p1 = (await e2e.stack.gql(q)).inferences;
        expect(await ids()).toEqual(p1.edges.map((e: any) => e.node.id));
        await page
          .getByRole("navigation", { name: "inferences pages" })
          .getByRole("link", { name: "Next page" })
          .click();
        const p2 = (await e2e.stack.gql(q, { after: p1.pageInfo.endCursor })).inferences;
        await expect.poll(ids).toEqual(p2.edges.map((e: any) => e.node.id));
        const firstIds = new Set(p1.edges.map((e: any) => e.node.id));
        expect((await ids()).filter((id) => firstIds.has(id))).toEqual([]);
      });
    });
  });
}

export function searchTests(): void {
  describe("search", () => {
    test("an exact id goes straight to its page: inference, node, settlement (by its transaction hash)", async () => {
      const i = e2e.samples.teeInference;
      const targets = [
        { q: i.id.toUpperCase().replace(/^0X/, "0x"), path: `/inferences/${i.id}`, h1: i.id },
        { q: i.node.id, path: `/nodes/${i.node.id}`, h1: i.node.id },
        { q: i.settlement.block.txHash, path: `/settlements/${i.settlement.id}`, h1: i.settlement.id },
      ];
      await onPage("/", async ({ page }) => {
        await submitSearches(page, targets, async (t) => {
          await expect.poll(() => page.locator("h1").textContent()).toContain(t.h1);
        });
      });
    });

    test("a model-name prefix lists the models it matches, and a link opens the model", async () => {
      // "og/" names two of the simulator's models (a query with one hit would go straight to it).
      const prefix = "og/";
      const d = await e2e.stack.gql(
        `query($q: String!) { search(query: $q) { __typename ... on Model { id name version } } }`,
        { q: prefix },
      );
      expect(d.search.length).toBeGreaterThan(1);
      const m = d.search[0];
      await onPage("/", async ({ page }) => {
        await waitForHydration(page);
        await searchBox(page).fill(prefix);
        await page.getByRole("search").getByRole("button", { name: "Search" }).click();
        await page.waitForURL((u) => u.pathname === "/search" && u.searchParams.get("q") === prefix);
        const link = page.getByRole("link", { name: `Model ${m.name} ${m.version}`, exact: false });
        await link.first().waitFor();
        expect(await link.first().getAttribute("href")).toBe(`/models/${m.id}`);
        // The search box keeps the query.
        expect(await searchBox(page).inputValue()).toBe(prefix);
        await link.first().click();
        await page.waitForURL(`**/models/${m.id}`);
        await expect.poll(() => page.getByTestId("model-name").textContent()).toBe(m.name);
      });
    });

    test("a model-name prefix that names one model goes straight to it", async () => {
      const m = e2e.samples.model;
      const prefix = m.name.slice(0, 8);
      const d = await e2e.stack.gql(`query($q: String!) { search(query: $q) { __typename } }`, { q: prefix });
      expect(d.search).toHaveLength(1);
      await onPage("/", async ({ page }) => {
        await waitForHydration(page);
        await searchBox(page).fill(prefix);
        await searchBox(page).press("Enter");
        await page.waitForURL(`**/models/${m.id}`);
        await expect.poll(() => page.getByTestId("model-name").textContent()).toBe(m.name);
      });
    });

    test("keyboard: the skip link comes first, the search box is reachable with Tab, and Enter submits", async () => {
      await onPage("/", async ({ page }) => {
        await waitForHydration(page);
        await page.keyboard.press("Tab");
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
        let reached = false;
        for (let i = 0; i < 30 && !reached; i++) {
          await page.keyboard.press("Tab");
          reached = await page.evaluate(() => document.activeElement?.getAttribute("name") === "q");
        }
        expect(reached, "Tab reaches the search box").toBe(true);
        await page.keyboard.type("og/");
        await page.keyboard.press("Enter");
        await page.waitForURL((u) => u.pathname === "/search" && u.searchParams.get("q") === "og/");
        await page.getByRole("link", { name: /^Model og\/price-volatility-lstm/ }).waitFor();
      });
    });
  });
}

/** The trail step whose heading is `title`. */
const step = (page: Page, title: string) =>
  page.locator("ol.trail > li", { has: page.getByRole("heading", { name: title, exact: true }) });

export function trailTests(): void {
  describe("an inference's trail", () => {
    test("commit, reveal, settlement and verification at the API's blocks, then on to the settlement and the node", async () => {
      const i = e2e.samples.teeInference;
      await onPage(`/inferences/${i.id}`, async ({ page }) => {
        await waitForHydration(page);
        expect(await step(page, "Commit").textContent()).toContain(`block ${int(i.committed.number)} ·`);
        expect(await step(page, "Commit").textContent()).toContain(i.committed.txHash.slice(0, 8));
        expect(await step(page, "Reveal").textContent()).toContain(`block ${int(i.revealed.number)} ·`);
        const settlement = step(page, "Settlement (TEE-signed result)");
        expect(await settlement.textContent()).toContain(`block ${int(i.settlement.block.number)} ·`);
        expect(await step(page, "Verification").textContent()).toContain(`block ${int(i.settled.number)} ·`);
        // Steps come in the order they happened on chain.
        expect(i.committed.number).toBeLessThanOrEqual(i.revealed.number);
        expect(i.revealed.number).toBeLessThanOrEqual(i.settled.number);

        await settlement.getByRole("link", { name: /^Settlement / }).click();
        await page.waitForURL((u) => decodeURIComponent(u.pathname) === `/settlements/${i.settlement.id}`);
        await expect.poll(() => page.locator("h1").textContent()).toContain(i.settlement.id);
        await page.locator(`a[href="/nodes/${i.node.id}"]`).first().click();
        await page.waitForURL(`**/nodes/${i.node.id}`);
        await expect.poll(() => page.locator("h1").textContent()).toContain(i.node.id);
      });
    });

    test("an expired inference: no reveal, the expiry, and the timeout slash at its block", async () => {
      const i = e2e.samples.expiredInference;
      await onPage(`/inferences/${i.id}`, async ({ page }) => {
        expect(await step(page, "Commit").textContent()).toContain(`block ${int(i.committed.number)} ·`);
        expect(await step(page, "Reveal").textContent()).toContain("not yet");
        expect(await step(page, "Verification").textContent()).toContain(`block ${int(i.settled.number)} ·`);
        for (const s of i.slashes) {
          // The reason in words, its code on hover.
          const slash = step(page, `Slash: ${slashReasonWords(s.reason)}`);
          expect(await slash.locator("h3 [title]").getAttribute("title")).toBe(s.reason);
          expect(await slash.textContent()).toContain(`block ${int(s.block.number)} ·`);
        }
        expect(i.slashes.map((s: any) => s.reason)).toContain("REVEAL_TIMEOUT");
        expect(await page.locator("tr[data-check='Reveal on time'] .badge").getAttribute("class")).toContain(
          `check-${i.checks.revealOnTime.toLowerCase()}`,
        );
      });
    });

    test("a challenged inference shows the challenge at the API's blocks", async () => {
      const i = e2e.samples.challengedInference;
      expect(i, "the simulated network has a resolved challenge").toBeDefined();
      await onPage(`/inferences/${i.id}`, async ({ page }) => {
        const challenge = await step(page, "Challenge").textContent();
        expect(challenge).toContain(`block ${int(i.challenge.opened.number)} ·`);
        expect(challenge).toContain(`block ${int(i.challenge.resolved.number)} ·`);
        expect(challenge).toContain(
          i.challenge.nodeAtFault ? "the node was at fault" : "the node was not at fault",
        );
      });
    });
  });
}

const verdict = (page: Page, check: string) =>
  page.getByRole("region", { name: "Check it yourself" }).locator(`[data-check="${check}"]`);
const runChecks = (page: Page) =>
  page
    .getByRole("region", { name: "Check it yourself" })
    .getByRole("button", { name: "Run the checks in this browser" })
    .click();

/** The same hex with one digit changed. */
const flipDigit = (hex: string, at: number) =>
  hex.slice(0, at) + (hex[at] === "a" ? "b" : "a") + hex.slice(at + 1);

export function checkYourselfTests(): void {
  describe("check it yourself", () => {
    test("settlement: the browser's RSA-PSS check agrees with the indexer, and disagrees once the signature is forged", async () => {
      const id = e2e.samples.settlementId;
      const { settlement } = await e2e.stack.gql(
        `query($id: ID!) { settlement(id: $id) { signature checks { signature } } }`,
        {
          id,
        },
      );
      expect(settlement.checks.signature).toBe("PASS");
      await onPage(`/settlements/${encodeURIComponent(id)}`, async ({ page }) => {
        await waitForHydration(page);
        const panel = page.getByRole("region", { name: "Check it yourself" });
        const signature = panel.getByRole("textbox", { name: "Signature" });
        expect(await signature.inputValue()).toBe(settlement.signature);
        await runChecks(page);
        const result = verdict(page, "TEE signature");
        await expect.poll(() => result.textContent()).toContain("agrees with the indexer");
        expect(await result.locator(".badge").first().getAttribute("class")).toContain("check-pass");

        await signature.fill(flipDigit(settlement.signature, 100));
        await runChecks(page);
        await expect.poll(() => result.textContent()).toContain("disagrees with the indexer");
        expect(await result.locator(".badge").first().getAttribute("class")).toContain("check-fail");
        // The indexer's verdict is unchanged: it is the chain's data that was checked, not the edited field.
        expect(await result.locator(".badge").nth(1).getAttribute("class")).toContain("check-pass");
      });
    });

    test("a settlement the simulator forged: the browser also says FAIL, agreeing with the indexer", async () => {
      const id = e2e.samples.forgedSettlementId;
      await onPage(`/settlements/${encodeURIComponent(id)}`, async ({ page }) => {
        await waitForHydration(page);
        await runChecks(page);
        const result = verdict(page, "TEE signature");
        await expect.poll(() => result.textContent()).toContain("agrees with the indexer");
        expect(await result.locator(".badge").first().getAttribute("class")).toContain("check-fail");
      });
    });

    test("node: the browser re-reads the raw attestation document (a devnet one) and agrees with the indexer", async () => {
      const id = e2e.samples.nodeId;
      const { node } = await e2e.stack.gql(
        `query($id: Bytes!) { node(id: $id) { attestation { status format pcrHash document } } }`,
        { id },
      );
      expect(node.attestation.format).toBe("DEVNET");
      await onPage(`/nodes/${id}`, async ({ page }) => {
        await waitForHydration(page);
        const panel = page.getByRole("region", { name: "Check the attestation yourself" });
        await panel.getByRole("button", { name: "Verify the attestation in this browser" }).click();
        const row = (check: string) => panel.locator(`[data-check="${check}"]`);
        await expect.poll(() => row("verdict").textContent()).toContain("agrees with the indexer");
        expect(await row("verdict").locator(".badge").first().getAttribute("class")).toContain(
          "check-not_applicable",
        );
        expect(await row("decode").textContent()).toContain("devnet document");
        expect(await row("signature").textContent()).toContain("agrees with the indexer");
        // The PCR hash the browser computed from the document's bytes is the indexer's.
        expect(await row("pcrs").textContent()).toContain(node.attestation.pcrHash);
        expect(await row("pcrs").textContent()).toContain("agrees with the indexer");
        expect(await panel.getByText("disagrees with the indexer").count()).toBe(0);
      });
    });

    test("inference: commitment and signature agree; a changed salt makes the commitment disagree", async () => {
      const i = e2e.samples.teeInference;
      await onPage(`/inferences/${i.id}`, async ({ page }) => {
        await waitForHydration(page);
        await runChecks(page);
        await expect
          .poll(() => verdict(page, "Commitment").textContent())
          .toContain("agrees with the indexer");
        await expect
          .poll(() => verdict(page, "TEE signature").textContent())
          .toContain("agrees with the indexer");
        const salt = page
          .getByRole("region", { name: "Check it yourself" })
          .getByRole("textbox", { name: "Salt" });
        await salt.fill(flipDigit(await salt.inputValue(), 10));
        await runChecks(page);
        await expect
          .poll(() => verdict(page, "Commitment").textContent())
          .toContain("disagrees with the indexer");
      });
    });
  });
}

export function hostileInputTests(): void {
  describe("hostile input", () => {
    test("a model named with markup is shown as text and runs nothing", async () => {
      const id = e2e.stack.hostileModelId;
      const { model } = await e2e.stack.gql(`query($id: Bytes!) { model(id: $id) { name version } }`, { id });
      expect(model).toEqual({ name: HOSTILE_MODEL.name, version: HOSTILE_MODEL.version });
      await onPage(`/models/${id}`, async ({ page }) => {
        await waitForHydration(page);
        expect(await page.getByTestId("model-name").textContent()).toBe(HOSTILE_MODEL.name);
        expect((await page.locator("h1").textContent())?.replace(/\s+/g, " ").trim()).toBe(
          `Model ${HOSTILE_MODEL.name} ${HOSTILE_MODEL.version}`,
        );
        expect(await page.title()).toContain(HOSTILE_MODEL.name);
        await page.waitForTimeout(300);
        expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
        expect(await page.locator('main img[src="x"], main svg[onload], main script').count()).toBe(0);
      });
      for (const path of ["/models", `/search?q=${encodeURIComponent("<img")}`]) {
        await onPage(path, async ({ page }) => {
          await waitForHydration(page);
          await page.getByText(HOSTILE_MODEL.name, { exact: false }).first().waitFor();
          expect(
            await page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
            path,
          ).toBeUndefined();
          expect(await page.locator('main img[src="x"], main svg[onload]').count(), path).toBe(0);
        });
      }
    });

    test("the simulator's <script>alert(1)</script> model opens no dialog", async () => {
      const { models } = await e2e.stack.gql(
        `{ models(first: 5, where: { nameContains: "<script>" }) { edges { node { id name } } } }`,
      );
      const m = models.edges.find((e: any) => e.node.name === "<script>alert(1)</script>")?.node;
      expect(m).toBeDefined();
      // onPage fails on any dialog.
      await onPage(`/models/${m.id}`, async ({ page }) => {
        await waitForHydration(page);
        expect(await page.getByTestId("model-name").textContent()).toBe(m.name);
      });
    });
  });
}

export function errorTests(): void {
  describe("errors", () => {
    test("an unknown or malformed id, or an unknown path, is a 404 page", async () => {
      const paths = [
        `/nodes/0x${"00".repeat(32)}`,
        `/models/0x${"01".repeat(32)}`,
        `/inferences/0x${"cd".repeat(32)}`,
        `/settlements/0x${"ef".repeat(32)}-0`,
        "/nodes/not-an-id",
        "/no/such/page",
      ];
      for (const path of paths) {
        const w = await open(path);
        try {
          expect(w.status, path).toBe(404);
          expect(await w.page.getByRole("heading", { level: 1 }).textContent(), path).toBe("Not found");
          expect(await w.page.title(), path).toBe("Not found · Attestation Explorer");
          expect(w.pageErrors, path).toEqual([]);
        } finally {
          await w.close();
        }
      }
    });

    test("with the API down, the error page says the API is unavailable (HTTP 503)", async () => {
      const { stack } = e2e;
      const closedPort = await freePort();
      const down = await stack.startWebServer({ API_URL: `http://127.0.0.1:${closedPort}/graphql` }, false);
      try {
        for (const path of ["/", "/nodes", `/inferences/${e2e.samples.teeInference.id}`]) {
          const w = await open(path, { colorScheme: "light" }, down.url);
          try {
            if (path === "/") await screenshot(w.page, "api-down-desktop-light");
            expect(w.status, path).toBe(503);
            expect(await w.page.getByRole("heading", { level: 1 }).textContent(), path).toBe(
              "The API is unavailable",
            );
            expect(await w.page.title(), path).toBe("API unavailable · Attestation Explorer");
            // The visitor is told what happened, not where the API lives (the server log has that).
            const text = (await w.page.locator("main").textContent()) ?? "";
            expect(text, path).toContain("cannot reach its data API");
            expect(text, path).not.toContain(String(closedPort));
            if (path === "/")
              await saveVariants(down.url, path, "api-down", undefined, await background(w.page));
          } finally {
            await w.close();
          }
        }
      } finally {
        await down.stop();
      }
    });
  });
}

export function liveTests(): void {
  describe("live updates (last: it adds a block, so the API's numbers change)", () => {
    test("the dashboard follows a new deposit without a reload", async () => {
      const { stack } = e2e;
      const live = await stack.startWebServer({ API_URL: stack.api.url, LIVE_POLL_SECONDS: "1" });
      try {
        await onPage(
          "/",
          async ({ page }) => {
            await waitForHydration(page);
            const stat = (label: string) => page.locator(`.stat:has(> dt:text-is("${label}")) > dd > .value`);
            const before = (await stack.gql("{ networkStats { totalStake } }")).networkStats;
            expect(await stat("Indexed height").textContent()).toBe(int(stack.head.number));
            expect(await stat("Total stake").textContent()).toBe(eth(before.totalStake));
            await page.evaluate(() => {
              (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
            });
            const head = await stack.deposit(e2e.samples.nodeId, 12_345n * 10n ** 14n);
            const after = (await stack.gql("{ networkStats { totalStake } }")).networkStats;
            expect(BigInt(after.totalStake) - BigInt(before.totalStake)).toBe(12_345n * 10n ** 14n);
            await expect
              .poll(() => stat("Indexed height").textContent(), { timeout: 15_000 })
              .toBe(int(head.number));
            await expect.poll(() => stat("Total stake").textContent()).toBe(eth(after.totalStake));
            // Updated in place: the same document, no navigation.
            expect(
              await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
            ).toBe(true);
          },
          {},
          live.url,
        );
      } finally {
        await live.stop();
      }
    });
  });
}
