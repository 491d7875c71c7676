/**
 * Accessibility: axe-core (the engine behind most accessibility checkers) runs inside every page type, in light
 * and dark, at desktop and phone width, against WCAG 2.1 A and AA rules; no violation may remain. Charts are
 * checked once drawn (recharts adds its SVG after hydration).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { VIEWPORTS } from "../support/browser.ts";
import { open } from "../support/context.ts";
import { PAGE_TYPES, waitForCharts } from "./pages.ts";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
/** axe-core's source, run through the DevTools protocol: an injected <script> would break the page's CSP. */
const AXE_SOURCE = readFileSync(AXE, "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const VARIANTS = [
  { scheme: "light", viewport: "desktop" },
  { scheme: "dark", viewport: "phone" },
] as const;

export function accessibilityTests(): void {
  describe("accessibility (axe-core, WCAG 2.1 A and AA)", () => {
    for (const type of PAGE_TYPES) {
      test(`${type.name}: no violations in light desktop and dark phone`, async () => {
        for (const v of VARIANTS) {
          const w = await open(type.path(), { colorScheme: v.scheme, viewport: VIEWPORTS[v.viewport] });
          try {
            await w.page.locator("h1").first().waitFor();
            await waitForCharts(w.page, type.charts);
            await w.page.evaluate(AXE_SOURCE);
            const violations = (await w.page.evaluate(async () => {
              const axe = (
                window as unknown as {
                  axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> };
                }
              ).axe;
              const result = await axe.run(document, {
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
              });
              return result.violations;
            })) as AxeViolation[];
            const described = violations.map(
              (x) =>
                `${x.id} (${x.impact}): ${x.help} at ${x.nodes
                  .slice(0, 3)
                  .map((n) => n.target.join(" "))
                  .join(", ")}`,
            );
            expect(described, `${type.path()} in ${v.scheme} at ${v.viewport} width`).toEqual([]);
          } finally {
            await w.close();
          }
        }
      });
    }
  });
}
