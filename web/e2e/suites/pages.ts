// biome-ignore-all lint/suspicious/noExplicitAny: the API's answers are read as untyped JSON
/**
 * Every page type: it loads (HTTP 200, a real <title>, one h1) without an error in the browser, the numbers it
 * shows are the API's, and it is saved as four screenshots (light and dark, desktop and phone).
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { screenshot, VIEWPORTS, watchedPage } from "../support/browser.ts";
import { e2e, eth, expectClean, int, open, short, shownScore } from "../support/context.ts";
import { HOSTILE_MODEL } from "../support/stack.ts";

interface PageType {
  name: string;
  path: () => string;
  status?: number;
  title: () => string | RegExp;
  h1: () => string | RegExp;
  /** recharts charts drawn after hydration. */
  charts?: number;
  /** Page-specific checks against the API, on the desktop light page. */
  check?: (page: Page) => Promise<void>;
}

const SITE = " · Attestation Explorer";
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The value in the <dd> of a <dt> label in a stats list (its hint, if any, follows it in the same <dd>). */
const stat = (page: Page, label: string, scope = "") =>
  page.locator(`${scope} .stat:has(> dt:text-is("${label}")) > dd > .value`.trim());

/**
 * The node page's attestation panel shows the indexer's verification as the API gives it. On the devnet every
 * registration carries the devnet's abi.encode(pcr0, pcr1, pcr2): format DEVNET, verdict NOT_APPLICABLE, said in
 * words (not just a colour), with the PCRs and their hash.
 */
export async function expectAttestationPanel(page: Page, nodeId: string): Promise<void> {
  await expectAttestationPanelOf(e2e.stack.gql, page, nodeId);
}

/** expectAttestationPanel against another API (the two-contract stack's). */
export async function expectAttestationPanelOf(
  gql: (query: string, variables?: Record<string, unknown>) => Promise<any>,
  page: Page,
  nodeId: string,
): Promise<void> {
  const { node } = await gql(
    `query($id: Bytes!) { node(id: $id) { attestation { status reason format moduleId pcr0 pcr1 pcr2 pcrHash
      certificates { subject } document registered { number } } } }`,
    { id: nodeId },
  );
  const a = node.attestation;
  expect(a, "the API's Node.attestation").not.toBeNull();
  expect(a.format).toBe("DEVNET");
  expect(a.status).toBe("NOT_APPLICABLE");
  expect(a.document).toMatch(/^0x[0-9a-f]+$/);
  const panel = page.getByRole("region", { name: "Attestation", exact: true });
  expect(await panel.getByTestId("attestation-format").textContent()).toBe("DEVNET");
  expect(await panel.getByTestId("attestation-format-note").textContent()).toContain(
    "This is a devnet document, not a Nitro attestation",
  );
  const verdict = panel.getByTestId("attestation-verdict");
  expect(await verdict.locator(".badge").getAttribute("class")).toContain("check-not_applicable");
  expect(await verdict.textContent()).toContain("n/a");
  expect(await verdict.textContent()).toContain("not applicable: a devnet document");
  for (const pcr of [a.pcr0, a.pcr1, a.pcr2, a.pcrHash]) {
    expect(pcr).toMatch(/^0x[0-9a-f]+$/);
    expect(await panel.getByText(pcr, { exact: true }).count(), pcr).toBe(1);
  }
  expect(await panel.getByTestId("attestation-pcr-hash").textContent()).toContain(a.pcrHash);
  // No certificates in a devnet document; the raw document is there in full, folded.
  expect(a.certificates).toEqual([]);
  expect(await panel.locator("details.raw-document pre").textContent()).toBe(a.document);
}

export const PAGE_TYPES: PageType[] = [
  {
    name: "dashboard",
    path: () => "/",
    title: () => `Network dashboard${SITE}`,
    h1: () => "Network dashboard",
    charts: 3,
    async check(page) {
      const { stack } = e2e;
      const d = await stack.gql(`{
        networkStats { nodes enabledNodes models inferences verified failed expired pending slashes settlements
          totalStake totalSlashed
          settlementSignatureFailures discrepancies }
        indexerStatus { height chainHeight finalizedHeight reorgedBlocks }
        slashes(first: 5) { edges { node { id node { id } } } }
      }`);
      const n = d.networkStats;
      const st = d.indexerStatus;
      expect(st.height).toBe(stack.head.number);
      const status = '[data-testid="indexer-status"]';
      const totals = '[data-testid="network-stats"]';
      await expect.poll(() => stat(page, "Indexed height", status).textContent()).toBe(int(st.height));
      expect(await stat(page, "Chain head", status).textContent()).toBe(int(st.chainHeight));
      expect(await stat(page, "Finalized height", status).textContent()).toBe(int(st.finalizedHeight));
      expect(await stat(page, "Nodes", totals).textContent()).toBe(
        `${int(n.nodes)} (${int(n.enabledNodes)} enabled)`,
      );
      expect(await stat(page, "Models", totals).textContent()).toBe(int(n.models));
      expect(await stat(page, "Inferences", totals).textContent()).toBe(int(n.inferences));
      expect(await stat(page, "Settlements", totals).textContent()).toBe(int(n.settlements));
      expect(await stat(page, "Discrepancies", totals).textContent()).toBe(int(n.discrepancies));
      expect(await stat(page, "Total stake", totals).textContent()).toBe(eth(n.totalStake));
      expect(await stat(page, "Total slashed", totals).textContent()).toBe(eth(n.totalSlashed));
      const hints = await page.locator(`${totals} .hint`).allTextContents();
      expect(hints).toContain(
        `${int(n.verified)} verified · ${int(n.failed)} failed · ${int(n.expired)} expired`,
      );
      expect(hints).toContain(`${int(n.settlementSignatureFailures)} with a bad signature`);
      // The run has what the dashboard is about.
      expect(n.failed).toBeGreaterThan(0);
      expect(n.expired).toBeGreaterThan(0);
      expect(n.slashes).toBeGreaterThan(0);
      expect(n.settlementSignatureFailures).toBeGreaterThan(0);
      // Latest slashes: the API's five, in its order.
      const slashTable = page.getByRole("region", { name: "Latest slashes" });
      const nodeLinks = await slashTable
        .locator("tbody tr td:first-child a")
        .evaluateAll((as) => as.map((a) => a.getAttribute("data-value")));
      expect(nodeLinks).toEqual(d.slashes.edges.map((e: any) => e.node.node.id));
    },
  },
  {
    name: "nodes",
    path: () => "/nodes",
    title: () => `Node leaderboard${SITE}`,
    h1: () => "Node leaderboard",
    async check(page) {
      const d = await e2e.stack.gql(
        "{ nodes(first: 25, orderBy: SCORE_DESC) { totalCount edges { node { id reputation { score successRate } } } } }",
      );
      const ids = await page
        .locator("tr[data-node-id]")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-node-id")));
      expect(ids).toEqual(d.nodes.edges.map((e: any) => e.node.id));
      const scores = await page.locator("tr[data-node-id] .score").allTextContents();
      expect(scores).toEqual(d.nodes.edges.map((e: any) => shownScore(e.node.reputation)));
      await expect
        .poll(() => page.getByRole("navigation", { name: "nodes pages" }).textContent())
        .toContain(`${int(d.nodes.totalCount)} nodes`);
    },
  },
  {
    name: "node",
    path: () => `/nodes/${e2e.samples.nodeId}`,
    title: () => `Node ${short(e2e.samples.nodeId)}${SITE}`,
    h1: () => `Node ${e2e.samples.nodeId}`,
    charts: 2,
    async check(page) {
      const { node: n } = await e2e.stack.gql(
        `query($id: Bytes!) { node(id: $id) { counts { committed revealed verified failed expired settlements }
          inferences(first: 20) { totalCount edges { node { id } } } } }`,
        { id: e2e.samples.nodeId },
      );
      const c = n.counts;
      expect(await stat(page, "Committed").textContent()).toBe(int(c.committed));
      expect(await stat(page, "Verified / failed / expired").textContent()).toBe(
        `${int(c.verified)} / ${int(c.failed)} / ${int(c.expired)}`,
      );
      expect(await stat(page, "Settlements").textContent()).toBe(int(c.settlements));
      const rows = page.getByRole("region", { name: "Recent inferences" }).locator("tr[data-inference-id]");
      expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute("data-inference-id")))).toEqual(
        n.inferences.edges.map((e: any) => e.node.id),
      );
      await expect
        .poll(() =>
          page
            .getByRole("link", { name: `All ${int(n.inferences.totalCount)} inferences of this node` })
            .count(),
        )
        .toBe(1);
      await expectAttestationPanel(page, e2e.samples.nodeId);
    },
  },
  {
    name: "models",
    path: () => "/models",
    title: () => `Models${SITE}`,
    h1: () => "Models",
    async check(page) {
      const d = await e2e.stack.gql(
        "{ models(first: 50, orderBy: INFERENCES_DESC) { totalCount edges { node { id name version counts { inferences } } } } }",
      );
      const rows = page.getByRole("region", { name: "Models" }).locator("tbody tr");
      expect(await rows.count()).toBe(d.models.totalCount);
      const names = await rows.locator("td:first-child a").allTextContents();
      expect(names).toEqual(d.models.edges.map((e: any) => `${e.node.name} ${e.node.version}`.trim()));
      const counts = await rows.locator("td:nth-child(4)").allTextContents();
      expect(counts).toEqual(d.models.edges.map((e: any) => int(e.node.counts.inferences)));
      // The hostile model is one of them, as text.
      expect(names).toContain(`${HOSTILE_MODEL.name} ${HOSTILE_MODEL.version}`);
    },
  },
  {
    name: "model",
    path: () => `/models/${e2e.samples.model.id}`,
    title: () => `Model ${e2e.samples.model.name} ${e2e.samples.model.version}${SITE}`,
    h1: () => `Model ${e2e.samples.model.name} ${e2e.samples.model.version}`,
    charts: 2,
    async check(page) {
      const { model: m } = await e2e.stack.gql(
        `query($id: Bytes!) { model(id: $id) { name mode counts { inferences verified failed expired } } }`,
        { id: e2e.samples.model.id },
      );
      expect(await page.getByTestId("model-name").textContent()).toBe(m.name);
      expect(await stat(page, "Inferences").textContent()).toBe(int(m.counts.inferences));
      expect(await stat(page, "Verified / failed / expired").textContent()).toBe(
        `${int(m.counts.verified)} / ${int(m.counts.failed)} / ${int(m.counts.expired)}`,
      );
    },
  },
  {
    name: "inferences",
    path: () => "/inferences",
    title: () => `Inferences${SITE}`,
    h1: () => "Inferences",
    async check(page) {
      const d = await e2e.stack.gql(
        "{ inferences(first: 50, orderBy: COMMITTED_DESC) { totalCount edges { node { id status } } } }",
      );
      const rows = page.locator("tr[data-inference-id]");
      expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute("data-inference-id")))).toEqual(
        d.inferences.edges.map((e: any) => e.node.id),
      );
      expect(await rows.locator(".badge[class*='status-']").allTextContents()).toEqual(
        d.inferences.edges.map((e: any) => e.node.status.toLowerCase()),
      );
      expect(await page.getByRole("navigation", { name: "inferences pages" }).textContent()).toContain(
        `${int(d.inferences.totalCount)} inferences`,
      );
    },
  },
  {
    name: "inference",
    path: () => `/inferences/${e2e.samples.teeInference.id}`,
    title: () => `Inference ${short(e2e.samples.teeInference.id)}${SITE}`,
    h1: () => `Inference ${e2e.samples.teeInference.id}`,
    async check(page) {
      const i = e2e.samples.teeInference;
      await expect.poll(() => page.locator(".badge.status-verified").first().textContent()).toBe("verified");
      const checks = page.getByRole("region", { name: "The indexer's own checks" });
      for (const [name, value] of [
        ["Commitment", i.checks.commitment],
        ["Reveal on time", i.checks.revealOnTime],
        ["TEE signature", i.checks.teeSignature],
        ["PCR valid", i.checks.pcrValid],
      ]) {
        expect(await checks.locator(`tr[data-check="${name}"] .badge`).getAttribute("class"), name).toContain(
          `check-${value.toLowerCase()}`,
        );
      }
    },
  },
  {
    name: "settlements",
    path: () => "/settlements",
    title: () => `Settlements${SITE}`,
    h1: () => "Settlements",
    async check(page) {
      const d = await e2e.stack.gql("{ settlements(first: 50) { totalCount edges { node { id } } } }");
      expect(
        await page
          .locator("tr[data-settlement-id]")
          .evaluateAll((rs) => rs.map((r) => r.getAttribute("data-settlement-id"))),
      ).toEqual(d.settlements.edges.map((e: any) => e.node.id));
      expect(await page.getByRole("navigation", { name: "settlements pages" }).textContent()).toContain(
        `${int(d.settlements.totalCount)} settlements`,
      );
    },
  },
  {
    name: "settlement",
    path: () => `/settlements/${encodeURIComponent(e2e.samples.settlementId)}`,
    title: () => `Settlement ${short(e2e.samples.settlementId, 8)}${SITE}`,
    h1: () => `Settlement ${e2e.samples.settlementId}`,
    async check(page) {
      const { settlement: s } = await e2e.stack.gql(
        `query($id: ID!) { settlement(id: $id) { signature node { id } checks { signature freshness teeEnabled pcrValid } } }`,
        { id: e2e.samples.settlementId },
      );
      for (const [name, value] of [
        ["Signature", s.checks.signature],
        ["Freshness", s.checks.freshness],
        ["TEE enabled", s.checks.teeEnabled],
        ["PCR valid", s.checks.pcrValid],
      ]) {
        expect(await page.locator(`tr[data-check="${name}"] .badge`).getAttribute("class"), name).toContain(
          `check-${value.toLowerCase()}`,
        );
      }
      await expect.poll(() => page.getByText(s.signature, { exact: true }).count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator(`a[href="/nodes/${s.node.id}"]`).count()).toBeGreaterThan(0);
    },
  },
  {
    name: "slashes",
    path: () => "/slashes",
    title: () => `Slashes${SITE}`,
    h1: () => "Slashes",
    async check(page) {
      const d = await e2e.stack.gql("{ slashes(first: 50) { totalCount edges { node { id reason } } } }");
      const rows = page.getByRole("region", { name: "Slashes" }).locator("tbody tr");
      expect(await rows.evaluateAll((rs) => rs.map((r) => r.id))).toEqual(
        d.slashes.edges.map((e: any) => e.node.id),
      );
      expect(await page.getByRole("navigation", { name: "slashes pages" }).textContent()).toContain(
        `${int(d.slashes.totalCount)} slashes`,
      );
    },
  },
  {
    name: "reorgs",
    path: () => "/reorgs",
    title: () => `Reorgs${SITE}`,
    h1: () => "Reorgs",
    async check(page) {
      const d = await e2e.stack.gql(
        "{ reorgs(first: 100) { fromBlock toBlock depth } indexerStatus { reorgedBlocks finalizedHeight } }",
      );
      // The stack's reorg, as the indexer recorded it.
      const made = e2e.stack.reorg;
      expect(d.reorgs).toContainEqual(made);
      expect(await stat(page, "Reorgs handled").textContent()).toBe(int(d.reorgs.length));
      expect(await stat(page, "Blocks rolled back").textContent()).toBe(int(d.indexerStatus.reorgedBlocks));
      expect(await stat(page, "Finalized height").textContent()).toBe(int(d.indexerStatus.finalizedHeight));
      const rows = await page
        .getByRole("region", { name: "Reorgs" })
        .locator("tbody tr")
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll("td.num")].map((td) => td.textContent)),
        );
      expect(rows).toEqual(d.reorgs.map((r: any) => [int(r.fromBlock), int(r.toBlock), int(r.depth)]));
    },
  },
  {
    name: "search",
    // Two of the simulator's models start with "og/" (a query with one hit would go straight to its page).
    path: () => `/search?q=${encodeURIComponent("og/")}`,
    title: () => `Search “og/”${SITE}`,
    h1: () => "Search",
    async check(page) {
      const { search } = await e2e.stack.gql(
        "query($q: String!) { search(query: $q) { __typename ... on Model { id } ... on Node { id } } }",
        { q: "og/" },
      );
      expect(search.length).toBeGreaterThan(1);
      const links = await page
        .locator(".search-results li a")
        .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      expect(links).toEqual(search.map((h: any) => `/${h.__typename.toLowerCase()}s/${h.id}`));
    },
  },
  {
    name: "not-found",
    path: () => `/inferences/0x${"ab".repeat(32)}`,
    status: 404,
    title: () => `Not found${SITE}`,
    h1: () => "Not found",
  },
];

const VARIANTS = [
  { viewport: "desktop", scheme: "dark" },
  { viewport: "phone", scheme: "light" },
  { viewport: "phone", scheme: "dark" },
] as const;

export async function waitForCharts(page: Page, charts: number | undefined): Promise<void> {
  if (!charts) return;
  // Each chart's canvas holds a recharts <svg class="recharts-surface"> once hydrated (legend icons are
  // recharts-surface too, so count the canvases that have one).
  expect(await page.locator(".chart-canvas").count()).toBe(charts);
  const drawn = page.locator(".chart-canvas").filter({ has: page.locator(".recharts-surface") });
  await expect.poll(() => drawn.count(), { timeout: 15_000 }).toBe(charts);
}

export const background = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/**
 * Saves `path` of the explorer at `base` in dark at desktop width and light and dark at phone width (the caller
 * saved light desktop), checking that dark is dark, that a phone needs no sideways scrolling, and that the page
 * reports no error.
 */
export async function saveVariants(
  base: string,
  path: string,
  name: string,
  charts: number | undefined,
  lightBackground: string,
): Promise<void> {
  for (const v of VARIANTS) {
    const other = await watchedPage(e2e.stack.browser, {
      colorScheme: v.scheme,
      viewport: VIEWPORTS[v.viewport],
      isMobile: v.viewport === "phone",
      hasTouch: v.viewport === "phone",
    });
    try {
      await other.page.goto(`${base}${path}`);
      await other.page.locator("h1").waitFor();
      await waitForCharts(other.page, charts);
      await screenshot(other.page, `${name}-${v.viewport}-${v.scheme}`);
      // Soft: every variant is saved even when one fails.
      if (v.scheme === "dark")
        expect.soft(await background(other.page), `${name}: dark background`).not.toBe(lightBackground);
      if (v.viewport === "phone") {
        const overflow = await other.page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect
          .soft(overflow, `${name} (${v.scheme}): the page is wider than a phone screen`)
          .toBeLessThanOrEqual(0);
      }
      expectClean(other);
    } finally {
      await other.close();
    }
  }
}

export function pageTypeTests(): void {
  describe("every page type loads, shows the API's numbers, and is saved in light, dark, desktop and phone", () => {
    for (const type of PAGE_TYPES) {
      test(type.name, async () => {
        // Screenshots are taken before the assertions, so a failing page is saved too.
        const w = await open(type.path(), { colorScheme: "light" });
        let lightBackground: string;
        try {
          await w.page.locator("h1").first().waitFor();
          await waitForCharts(w.page, type.charts);
          await screenshot(w.page, `${type.name}-desktop-light`);
          expect(w.status, `HTTP status of ${type.path()}`).toBe(type.status ?? 200);
          const title = type.title();
          if (typeof title === "string") expect(await w.page.title()).toBe(title);
          else expect(await w.page.title()).toMatch(title);
          const h1 = w.page.locator("h1");
          expect(await h1.count()).toBe(1);
          const want = type.h1();
          expect((await h1.textContent())?.replace(/\s+/g, " ").trim()).toMatch(
            typeof want === "string" ? new RegExp(`^${escapeRegExp(want)}$`) : want,
          );
          await type.check?.(w.page);
          lightBackground = await background(w.page);
          expectClean(w);
        } finally {
          await w.close();
        }
        await saveVariants(e2e.stack.web.url, type.path(), type.name, type.charts, lightBackground);
      });
    }
  });
}
