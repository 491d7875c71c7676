import type { Page } from "playwright-core";
import { waitForHydration } from "./browser.ts";

/** The header's search box (on every page). */
export const searchBox = (page: Page) => page.getByRole("searchbox", { name: /Search by id/ });

/**
 * Submits each query in the header's search and waits until the explorer has gone to its page (`path`, compared
 * decoded); `onArrival` then checks the page before the next query.
 */
export async function submitSearches<T extends { q: string; path: string }>(
  page: Page,
  targets: readonly T[],
  onArrival?: (target: T) => Promise<void>,
): Promise<void> {
  for (const t of targets) {
    await waitForHydration(page);
    await searchBox(page).fill(t.q);
    await searchBox(page).press("Enter");
    await page.waitForURL((u) => decodeURIComponent(u.pathname) === t.path);
    await onArrival?.(t);
  }
}
