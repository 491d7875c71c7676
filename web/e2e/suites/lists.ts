// biome-ignore-all lint/suspicious/noExplicitAny: the API's answers are read as untyped JSON
/**
 * The lists as block-explorer users expect them (issue 11): one line per row at 1400 px, cards without sideways
 * scrolling on a 390 px phone with each node's score, a compact header, copy buttons that copy the whole value,
 * first / previous / next / last pages with "x–y of N" and a page size, and a CSV of every list.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { VIEWPORTS, waitForHydration } from "../support/browser.ts";
import { e2e, int, onPage, shownScore } from "../support/context.ts";
import { REPO_ROOT } from "../support/harness.ts";

const WIDE = { width: 1400, height: 900 } as const;

/** Every list page, with the API list behind it (for the CSV's row count). */
const LISTS = [
  { path: "/nodes", csv: "/export/nodes.csv", field: "nodes" },
  { path: "/models", csv: "/export/models.csv", field: "models" },
  { path: "/inferences", csv: "/export/inferences.csv", field: "inferences" },
  { path: "/settlements", csv: "/export/settlements.csv", field: "settlements" },
  { path: "/slashes", csv: "/export/slashes.csv", field: "slashes" },
  { path: "/reorgs", csv: "/export/reorgs.csv", field: undefined },
  { path: "/", csv: undefined, field: undefined },
] as const;

/** Rows taller than two lines of their own text (plus the cell's padding and border), as "path row n: h px". */
function tallRows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    document.querySelectorAll("table.list tbody tr").forEach((tr, n) => {
      const td = tr.querySelector("td");
      if (!td) return;
      const style = getComputedStyle(td);
      const line = Number.parseFloat(style.lineHeight);
      const padding = Number.parseFloat(style.paddingTop) + Number.parseFloat(style.paddingBottom);
      const limit = 2 * line + padding + Number.parseFloat(style.borderBottomWidth) + 1;
      const height = tr.getBoundingClientRect().height;
      if (!(line > 0) || height > limit) out.push(`row ${n + 1}: ${height} px > ${limit} px`);
    });
    return out;
  });
}

/** How far the document scrolls sideways (0 when it fits the window). */
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The pager's "x–y of N" text. */
const rangeOf = (page: Page, label: string) =>
  page
    .getByRole("navigation", { name: `${label} pages` })
    .locator(".page-range")
    .textContent();

const inferenceIds = (page: Page) =>
  page
    .locator("tr[data-inference-id]")
    .evaluateAll((rs) => rs.map((r) => r.getAttribute("data-inference-id") as string));

/** The API's inference ids from row `skip` (0-based), `size` of them, newest first as the list shows them. */
async function apiInferences(skip: number, size: number): Promise<string[]> {
  let after: string | null = null;
  // The API gives at most 1000 rows a request: walk to row `skip` in steps.
  for (let left = skip; left > 0; left -= 1000) {
    const d: any = await e2e.stack.gql(
      "query($first: Int!, $after: String) { inferences(first: $first, after: $after) { pageInfo { endCursor } } }",
      { first: Math.min(1000, left), after },
    );
    after = d.inferences.pageInfo.endCursor;
  }
  const d = await e2e.stack.gql(
    "query($first: Int!, $after: String) { inferences(first: $first, after: $after) { edges { node { id } } } }",
    { first: size, after },
  );
  return d.inferences.edges.map((e: any) => e.node.id);
}

export function listTests(): void {
  describe("lists: one line per row, phone cards, copy, pages, CSV", () => {
    test("at 1400 px no list row is taller than two text lines and no page scrolls sideways", async () => {
      for (const list of LISTS) {
        await onPage(
          list.path,
          async ({ page }) => {
            await waitForHydration(page);
            const rows = await page.locator("table.list tbody tr").count();
            expect(rows, `${list.path}: rows in its lists`).toBeGreaterThan(0);
            expect(await tallRows(page), `${list.path}: rows taller than two lines`).toEqual([]);
            const size = await page.evaluate(() => ({
              rows: Math.max(
                ...[...document.querySelectorAll("table.list tbody tr")].map(
                  (tr) => tr.getBoundingClientRect().height,
                ),
              ),
              page: document.documentElement.scrollHeight,
            }));
            console.log(
              `${list.path} at 1400 px: ${rows} rows, tallest ${size.rows} px, page ${size.page} px`,
            );
            expect(await sideways(page), `${list.path}: sideways scroll`).toBeLessThanOrEqual(0);
            const clipped = await page
              .locator(".table-scroll")
              .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).length);
            expect(clipped, `${list.path}: tables wider than their region`).toBe(0);
          },
          { viewport: WIDE },
        );
      }
    });

    test("long values are cut with an ellipsis and whole in their tooltip; times show their age", async () => {
      await onPage(
        "/inferences",
        async ({ page }) => {
          await waitForHydration(page);
          const { inferences } = await e2e.stack.gql(
            "{ inferences(first: 1) { edges { node { id model { name version } committed { timestamp } } } } }",
          );
          const first = inferences.edges[0].node;
          const row = page.locator(`tr[data-inference-id="${first.id}"]`);
          // The id: shortened in the text, whole in the link's tooltip (and its data-full, shown on focus).
          const idLink = row.locator("td").first().locator("a");
          expect(await idLink.getAttribute("title")).toBe(first.id);
          expect(await idLink.getAttribute("data-full")).toBe(first.id);
          expect((await idLink.textContent())?.length).toBeLessThan(first.id.length);
          // The model name: the whole name is the text and the tooltip; CSS cuts it to the column.
          const model = row.locator("a.trunc");
          const label = `${first.model.name} ${first.model.version}`.trim();
          expect(await model.getAttribute("title")).toBe(label);
          expect(await model.evaluate((a) => getComputedStyle(a).textOverflow)).toBe("ellipsis");
          // Keyboard focus shows the whole id beside the link.
          await idLink.focus();
          expect(
            await idLink.evaluate((a) => getComputedStyle(a, "::after").content),
            "the focused link's ::after",
          ).toBe(`"${first.id}"`);
          // Age: "… ago", the absolute UTC time in its tooltip.
          const age = row.locator("time.age");
          expect(await age.textContent()).toMatch(/^\d+ (s|min|h|d) ago$/);
          const t = new Date(first.committed.timestamp).toISOString();
          expect(await age.getAttribute("title")).toBe(`${t.slice(0, 19).replace("T", " ")} UTC`);
        },
        { viewport: WIDE },
      );
    });

    test("at 390 px the leaderboard shows every node's score without sideways scrolling, under a compact header", async () => {
      await onPage(
        "/nodes",
        async ({ page }) => {
          await waitForHydration(page);
          expect(await sideways(page), "sideways scroll").toBeLessThanOrEqual(0);
          const { nodes } = await e2e.stack.gql(
            "{ nodes(first: 25, orderBy: SCORE_DESC) { edges { node { id reputation { score successRate } } } } }",
          );
          const width = VIEWPORTS.phone.width;
          for (const { node } of nodes.edges) {
            const score = page.locator(`tr[data-node-id="${node.id}"] .score`);
            await score.scrollIntoViewIfNeeded();
            expect(await score.isVisible(), `score of ${node.id}`).toBe(true);
            expect(await score.textContent()).toBe(shownScore(node.reputation));
            const box = await score.boundingBox();
            expect(box && box.x >= 0 && box.x + box.width <= width, `score of ${node.id} on screen`).toBe(
              true,
            );
          }
          // The header: well under 100 px, and its search box stays on screen wherever the page is scrolled.
          const header = await page.locator(".site-header").boundingBox();
          expect(header?.height).toBeLessThan(100);
          await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
          const search = page.getByRole("searchbox", { name: /Search by id/ });
          expect(await search.isVisible()).toBe(true);
          const box = await search.boundingBox();
          expect(box && box.y >= 0 && box.y + box.height <= VIEWPORTS.phone.height).toBe(true);
        },
        { viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true },
      );
    });

    test("every list page fits a 390 px phone", async () => {
      for (const list of LISTS) {
        await onPage(
          list.path,
          async ({ page }) => {
            await waitForHydration(page);
            expect(await sideways(page), `${list.path}: sideways scroll`).toBeLessThanOrEqual(0);
          },
          { viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true },
        );
      }
    });

    test("copy buttons copy the whole id, hash or address and say Copied", async () => {
      const { inferences, settlements } = await e2e.stack.gql(`{
        inferences(first: 1) { edges { node { id node { id } } } }
        settlements(first: 1) { edges { node { id block { txHash } } } }
      }`);
      const inference = inferences.edges[0].node;
      const settlement = settlements.edges[0].node;
      const cases = [
        {
          path: "/inferences",
          scope: `tr[data-inference-id="${inference.id}"]`,
          name: "Copy inference id",
          value: inference.id,
        },
        {
          path: "/inferences",
          scope: `tr[data-inference-id="${inference.id}"]`,
          name: "Copy node id",
          value: inference.node.id,
        },
        {
          path: "/settlements",
          scope: `tr[data-settlement-id="${settlement.id}"]`,
          name: "Copy settlement id",
          value: settlement.id,
        },
        {
          path: `/settlements/${encodeURIComponent(settlement.id)}`,
          scope: "main",
          name: "Copy transaction hash",
          value: settlement.block.txHash,
        },
      ];
      for (const c of cases) {
        await onPage(
          c.path,
          async ({ page, context }) => {
            await context.grantPermissions(["clipboard-read", "clipboard-write"], {
              origin: e2e.stack.web.url,
            });
            await waitForHydration(page);
            const button = page.locator(c.scope).getByRole("button", { name: c.name, exact: true }).first();
            // The clipboard outlives the page: clear it, so a button that copies nothing cannot pass.
            await page.evaluate(() => navigator.clipboard.writeText("nothing copied yet"));
            await button.click();
            await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(c.value);
            await expect.poll(() => button.textContent()).toBe("Copied");
          },
          { viewport: WIDE },
        );
      }
    });

    test("pages: next, previous, last and first move through the API's rows, and x–y of N is right", async () => {
      const { inferences } = await e2e.stack.gql("{ inferences(first: 1) { totalCount } }");
      const total: number = inferences.totalCount;
      const size = 10;
      const lastStart = Math.floor((total - 1) / size) * size;
      await onPage(
        `/inferences?size=${size}`,
        async ({ page }) => {
          await waitForHydration(page);
          const pager = page.getByRole("navigation", { name: "inferences pages" });
          const expectPage = async (start: number) => {
            const want = await apiInferences(start, size);
            await expect.poll(() => inferenceIds(page)).toEqual(want);
            expect(await rangeOf(page, "inferences")).toBe(
              `${int(start + 1)}–${int(start + want.length)} of ${int(total)} inferences · page ${int(start / size + 1)} of ${int(lastStart / size + 1)}`,
            );
          };
          await expectPage(0);
          expect(await pager.getByRole("link", { name: "Previous page" }).count()).toBe(0);
          await pager.getByRole("link", { name: "Next page" }).click();
          await expectPage(size);
          await pager.getByRole("link", { name: "Next page" }).click();
          await expectPage(2 * size);
          await pager.getByRole("link", { name: "Previous page" }).click();
          await expectPage(size);
          await pager.getByRole("link", { name: "Last page" }).click();
          await expectPage(lastStart);
          expect(await pager.getByRole("link", { name: "Next page" }).count()).toBe(0);
          expect(await pager.getByRole("link", { name: "Last page" }).count()).toBe(0);
          await pager.getByRole("link", { name: "Previous page" }).click();
          await expectPage(lastStart - size);
          await pager.getByRole("link", { name: "First page" }).click();
          await expectPage(0);
          // Page size: 25 rows from the same first row.
          await pager.getByRole("link", { name: "25 rows per page" }).click();
          await expect.poll(() => inferenceIds(page)).toEqual(await apiInferences(0, 25));
          expect(await rangeOf(page, "inferences")).toBe(
            `1–25 of ${int(total)} inferences · page 1 of ${int(Math.ceil(total / 25))}`,
          );
          // Applying the filter form keeps the page size.
          await page.getByRole("button", { name: "Apply" }).click();
          await page.waitForURL((u) => u.searchParams.has("order"));
          expect(new URL(page.url()).searchParams.get("size")).toBe("25");
          await expect.poll(() => page.locator("tr[data-inference-id]").count()).toBe(25);
        },
        { viewport: WIDE },
      );
    });

    test("every list offers its rows as CSV, settlements included", async () => {
      for (const list of LISTS) {
        if (!list.csv) continue;
        await onPage(list.path, async ({ page }) => {
          const link = page.locator(`a[href^="${list.csv}"]`);
          expect(await link.count(), `${list.path}: a link to ${list.csv}`).toBe(1);
          const res = await fetch(`${e2e.stack.web.url}${await link.getAttribute("href")}`);
          expect(res.status, list.csv).toBe(200);
          expect(res.headers.get("content-disposition")).toContain(list.csv.slice("/export/".length));
          const lines = (await res.text()).trimEnd().split("\r\n");
          const rows = list.field
            ? (await e2e.stack.gql(`{ ${list.field}(first: 1) { totalCount } }`))[list.field].totalCount
            : (await e2e.stack.gql("{ reorgs(first: 1000) { depth } }")).reorgs.length;
          expect(lines.length - 1, `${list.csv}: rows`).toBe(rows);
          expect(lines[0]).toMatch(list.field ? /^id,/ : /^detected_at,from_block,to_block,depth$/);
        });
      }
    });

    // README_SCREENSHOTS=1 refreshes the README's pictures (docs/screenshots/) from this stack: light and dark,
    // desktop (1400 px) and phone (390 px), each one screen high.
    test.runIf(process.env.README_SCREENSHOTS === "1")("README screenshots", async () => {
      const dir = join(REPO_ROOT, "docs", "screenshots");
      mkdirSync(dir, { recursive: true });
      const shots = [
        { name: "dashboard-desktop-light", path: "/", scheme: "light", viewport: WIDE },
        { name: "inferences-desktop-dark", path: "/inferences", scheme: "dark", viewport: WIDE },
        { name: "nodes-phone-light", path: "/nodes", scheme: "light", viewport: VIEWPORTS.phone },
        { name: "dashboard-phone-dark", path: "/", scheme: "dark", viewport: VIEWPORTS.phone },
      ] as const;
      for (const shot of shots) {
        const phone = shot.viewport.width < 700;
        await onPage(
          shot.path,
          async ({ page }) => {
            await waitForHydration(page);
            if (shot.path === "/") {
              await expect
                .poll(() => page.locator(".chart-canvas .recharts-surface").count())
                .toBeGreaterThan(0);
            }
            await page.screenshot({ path: join(dir, `${shot.name}.png`), animations: "disabled" });
          },
          { viewport: shot.viewport, colorScheme: shot.scheme, isMobile: phone, hasTouch: phone },
        );
      }
    });
  });
}
