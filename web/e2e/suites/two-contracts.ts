// biome-ignore-all lint/suspicious/noExplicitAny: the API's answers are read as untyped JSON
/**
 * OpenGradient's network has the TEE registry and the settlement relay only. A second indexer reads the same chain
 * with those two addresses (support/stack.ts, twoContracts()), behind a second API and explorer: the explorer
 * must leave out what cannot exist there (stake, pending withdrawals, slashes, models, commit-reveal inferences,
 * verification charts), say why in one sentence where it would have been, and keep reputation and settlements.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, test } from "vitest";
import { NO_COMMIT_REVEAL } from "../../app/lib/network-mode.ts";
import { screenshot, waitForHydration } from "../support/browser.ts";
import { e2e, expectClean, int, onPage, open, shownScore } from "../support/context.ts";
import type { TwoContractStack } from "../support/stack.ts";
import { background, expectAttestationPanelOf, saveVariants, waitForCharts } from "./pages.ts";

const stat = (page: Page, label: string) => page.locator(`.stat:has(> dt:text-is("${label}")) > dd > .value`);
const navLinks = (page: Page) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();

export function twoContractTests(): void {
  describe("a two-contract network (TEE registry and settlement relay, no commit-reveal registry)", () => {
    let two: TwoContractStack;
    beforeAll(async () => {
      two = await e2e.stack.twoContracts();
    }, 300_000);

    test("the APIs say which contracts their indexers read", async () => {
      const q = "{ indexerStatus { height contracts { teeRegistry settlementRelay attestationRegistry } } }";
      const [full, mine] = [await e2e.stack.gql(q), await two.gql(q)];
      const addresses = e2e.stack.deployment.addresses;
      expect(full.indexerStatus.contracts.attestationRegistry?.toLowerCase()).toBe(
        addresses.attestationRegistry.toLowerCase(),
      );
      expect(mine.indexerStatus.contracts.attestationRegistry).toBeNull();
      expect(mine.indexerStatus.contracts.teeRegistry.toLowerCase()).toBe(
        addresses.teeRegistry.toLowerCase(),
      );
      expect(mine.indexerStatus.height).toBe(full.indexerStatus.height);
    });

    test("navigation leaves out models, inferences and slashes (the three-contract explorer has them)", async () => {
      await onPage("/", async ({ page }) => {
        expect(await navLinks(page)).toEqual([
          "Dashboard",
          "Nodes",
          "Models",
          "Inferences",
          "Settlements",
          "Slashes",
          "Reorgs",
        ]);
      });
      await onPage(
        "/",
        async ({ page }) => {
          expect(await navLinks(page)).toEqual(["Dashboard", "Nodes", "Settlements", "Reorgs"]);
        },
        {},
        two.web.url,
      );
    });

    test("dashboard: nodes and settlements, the reason for the rest, a settlements chart; no stake or slashes", async () => {
      const { networkStats: n } = await two.gql(
        "{ networkStats { nodes enabledNodes settlements settlementSignatureFailures inferences slashes totalStake } }",
      );
      expect(n.settlements).toBeGreaterThan(0);
      expect([n.inferences, n.slashes, n.totalStake]).toEqual([0, 0, "0"]);
      const w = await open("/", { colorScheme: "light" }, two.web.url);
      let light: string;
      try {
        await waitForCharts(w.page, 1);
        await screenshot(w.page, "two-contracts-dashboard-desktop-light");
        expect(w.status).toBe(200);
        expect(await w.page.getByTestId("no-commit-reveal").textContent()).toBe(NO_COMMIT_REVEAL);
        expect(await stat(w.page, "Nodes").textContent()).toBe(
          `${int(n.nodes)} (${int(n.enabledNodes)} enabled)`,
        );
        expect(await stat(w.page, "Settlements").textContent()).toBe(int(n.settlements));
        for (const gone of ["Total stake", "Total slashed", "Inferences", "Verification rate", "Models"])
          expect(await stat(w.page, gone).count(), gone).toBe(0);
        expect(await w.page.getByRole("region", { name: "Latest slashes" }).count()).toBe(0);
        expect(await w.page.getByRole("heading", { name: "Settlement history" }).count()).toBe(1);
        light = await background(w.page);
        expectClean(w);
      } finally {
        await w.close();
      }
      await saveVariants(two.web.url, "/", "two-contracts-dashboard", 1, light);
    });

    test("models, inferences and slashes answer with the reason instead of an empty table", async () => {
      for (const [path, h1] of [
        ["/models", "Models"],
        ["/inferences", "Inferences"],
        ["/slashes", "Slashes"],
      ]) {
        await onPage(
          path,
          async ({ page, status }) => {
            expect(status, path).toBe(200);
            expect(await page.locator("h1").textContent()).toBe(h1);
            expect(await page.getByTestId("no-commit-reveal").textContent()).toBe(NO_COMMIT_REVEAL);
            expect(await page.locator("table").count(), path).toBe(0);
          },
          {},
          two.web.url,
        );
      }
      await onPage(
        `/inferences/0x${"ab".repeat(32)}`,
        async ({ page, status }) => {
          expect(status).toBe(404);
          expect(await page.locator("main").textContent()).toContain(NO_COMMIT_REVEAL);
        },
        {},
        two.web.url,
      );
    });

    test("leaderboard: scores and uptime in the API's order, no stake, slash or inference columns", async () => {
      const d = await two.gql(
        "{ nodes(first: 25, orderBy: SCORE_DESC) { edges { node { id reputation { score successRate } } } } }",
      );
      await onPage(
        "/nodes",
        async ({ page }) => {
          await waitForHydration(page);
          const ids = await page
            .locator("tr[data-node-id]")
            .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-node-id")));
          expect(ids).toEqual(d.nodes.edges.map((e: any) => e.node.id));
          expect(await page.locator("tr[data-node-id] .score").allTextContents()).toEqual(
            d.nodes.edges.map((e: any) => shownScore(e.node.reputation)),
          );
          const headers = (await page.locator("thead th").allTextContents()).map((t) => t.trim());
          for (const gone of ["Stake", "Slashed", "Inferences", "Verified / failed / expired"])
            expect(
              headers.some((h) => h.startsWith(gone)),
              gone,
            ).toBe(false);
          expect(headers.some((h) => h.startsWith("Score"))).toBe(true);
          expect(await page.getByTestId("no-commit-reveal").count()).toBe(1);
        },
        {},
        two.web.url,
      );
    });

    test("node page: reputation, settlements and the attestation; no stake, inferences or slashes", async () => {
      const d = await two.gql("{ nodes(first: 1, orderBy: SCORE_DESC) { edges { node { id } } } }");
      const id = d.nodes.edges[0].node.id;
      const { node: n } = await two.gql(
        "query($id: Bytes!) { node(id: $id) { reputation { score successRate } counts { settlements } history { start } } }",
        { id },
      );
      // One chart (reputation over time), drawn when the API has buckets for the node; the verdicts chart is gone.
      const charts = n.history.length > 0 ? 1 : undefined;
      const w = await open(`/nodes/${id}`, { colorScheme: "light" }, two.web.url);
      let light: string;
      try {
        await w.page.locator("h1").waitFor();
        expect(await w.page.locator(".chart-canvas").count()).toBe(1);
        if (charts) await waitForCharts(w.page, charts);
        else expect(await w.page.locator(".chart-canvas").textContent()).toBe("No data in this range.");
        await screenshot(w.page, "two-contracts-node-desktop-light");
        expect(w.status).toBe(200);
        const reputation = w.page.getByRole("region", { name: "Reputation" });
        expect(await reputation.locator(".score").first().textContent()).toBe(shownScore(n.reputation));
        expect(await stat(w.page, "Settlements").textContent()).toBe(int(n.counts.settlements));
        for (const gone of ["Stake", "Pending withdrawals", "Total slashed", "Committed"])
          expect(await stat(w.page, gone).count(), gone).toBe(0);
        for (const gone of ["Recent inferences", "Slashes"])
          expect(await w.page.getByRole("region", { name: gone, exact: true }).count(), gone).toBe(0);
        expect(await w.page.getByTestId("no-commit-reveal").textContent()).toBe(NO_COMMIT_REVEAL);
        await expectAttestationPanelOf(two.gql, w.page, id);
        light = await background(w.page);
        expectClean(w);
      } finally {
        await w.close();
      }
      await saveVariants(two.web.url, `/nodes/${id}`, "two-contracts-node", charts, light);
    });
  });
}
