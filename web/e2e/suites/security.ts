/**
 * The Content-Security-Policy in a real browser: every page type (the hostile model's page, a 404 and a malformed
 * URI's 400 among them) is served with a nonce CSP, hydrates under it, and reports no `securitypolicyviolation`,
 * with the in-browser checks clicked where a page has them. Every other suite fails on a violation too
 * (expectClean); this one also shows the listener hears one.
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { waitForHydration } from "../support/browser.ts";
import { e2e, onPage } from "../support/context.ts";

function expectNonceCsp(header: string | undefined, what: string): void {
  expect(header, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(header, what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"])
    expect(header, what).toContain(d);
}

/** Runs a page's in-browser check and waits until `check`'s row agrees with the indexer. */
const verifiesInBrowser =
  (region: string, button: string, check: string) =>
  async (page: Page): Promise<void> => {
    const panel = page.getByRole("region", { name: region });
    await panel.getByRole("button", { name: button }).click();
    await expect
      .poll(() => panel.locator(`[data-check="${check}"]`).textContent())
      .toContain("agrees with the indexer");
  };

export function securityTests(): void {
  describe("content security policy", () => {
    test("every page type hydrates under the nonce CSP with no violation, the in-browser checks included", async () => {
      const s = e2e.samples;
      const pages: [string, number, ((page: Page) => Promise<void>)?][] = [
        ["/", 200],
        ["/nodes", 200],
        [
          `/nodes/${s.nodeId}`,
          200,
          verifiesInBrowser(
            "Check the attestation yourself",
            "Verify the attestation in this browser",
            "verdict",
          ),
        ],
        ["/models", 200],
        [`/models/${s.model.id}`, 200],
        [`/models/${e2e.stack.hostileModelId}`, 200],
        ["/inferences", 200],
        [
          `/inferences/${s.teeInference.id}`,
          200,
          verifiesInBrowser("Check it yourself", "Run the checks in this browser", "Commitment"),
        ],
        ["/settlements", 200],
        [
          `/settlements/${encodeURIComponent(s.settlementId)}`,
          200,
          verifiesInBrowser("Check it yourself", "Run the checks in this browser", "TEE signature"),
        ],
        ["/slashes", 200],
        ["/reorgs", 200],
        [`/search?q=${encodeURIComponent(s.model.name.slice(0, 3))}`, 200],
        ["/no-such-page", 404],
        ["/models/%ED%A0%80", 400],
      ];
      for (const [path, status, interact] of pages) {
        await onPage(path, async (w) => {
          expect(w.status, path).toBe(status);
          const res = await w.page.request.get(`${e2e.stack.web.url}${path}`, { maxRedirects: 0 });
          expectNonceCsp(res.headers()["content-security-policy"], path);
          await waitForHydration(w.page);
          await interact?.(w.page);
          // The hostile model's markup ran nothing.
          expect(await w.page.evaluate(() => (window as { __xss?: unknown }).__xss), path).toBeUndefined();
          // Violations are reported asynchronously: give them a moment to arrive.
          await w.page.waitForTimeout(200);
          expect(w.cspViolations, path).toEqual([]);
        });
      }
    });

    test("the listener hears a violation: an inline script without the nonce is blocked and reported", async () => {
      await onPage("/", async (w) => {
        await waitForHydration(w.page);
        await w.page.evaluate(() => {
          const el = document.createElement("script");
          el.textContent = "window.__injected = 1";
          document.body.append(el);
        });
        await expect.poll(() => w.cspViolations.length).toBeGreaterThan(0);
        expect(w.cspViolations[0]).toMatch(/^script-src/);
        expect(await w.page.evaluate(() => (window as { __injected?: unknown }).__injected)).toBeUndefined();
        // The page's own scripts keep working; the reported violation was ours.
        w.cspViolations.length = 0;
        w.consoleErrors.length = 0;
      });
    });
  });
}
