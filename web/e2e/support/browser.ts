/**
 * Browser helpers for the explorer's tests: pages that record what went wrong in them (uncaught errors, console
 * errors, dialogs), a hydration wait, and screenshots under web/e2e/artifacts/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, BrowserContextOptions, Page, Response } from "playwright-core";

export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

export const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** console.error messages, except the browser's own "Failed to load resource" lines for 4xx/5xx documents. */
  consoleErrors: string[];
  /** alert/confirm/prompt texts (none should ever open). */
  dialogs: string[];
  /** Content-Security-Policy violations the page reported (`securitypolicyviolation` events). */
  cspViolations: string[];
  close(): Promise<void>;
}

/** A new context and page that records errors and dialogs. */
export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, ...options });
  const page = await context.newPage();
  const w: Watched = {
    context,
    page,
    pageErrors: [],
    consoleErrors: [],
    dialogs: [],
    cspViolations: [],
    close: () => context.close(),
  };
  // Every document reports its CSP violations (the init script and the binding come through the DevTools
  // protocol, outside the page's CSP).
  await context.exposeBinding("__reportCspViolation", (_source, text: string) => {
    w.cspViolations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => {
        const report = (window as unknown as { __reportCspViolation(t: string): void }).__reportCspViolation;
        report(
          `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`,
        );
      },
      true,
    );
  });
  page.on("pageerror", (err) => w.pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
      w.consoleErrors.push(msg.text());
  });
  page.on("dialog", (dialog) => {
    w.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return w;
}

/** Navigates and returns the document's response (throws when there is none). */
export async function visit(page: Page, url: string): Promise<Response> {
  const res = await page.goto(url, { waitUntil: "load" });
  if (!res) throw new Error(`no response for ${url}`);
  return res;
}

/**
 * Waits until React has hydrated the page: hydration attaches React's fiber to the server-rendered elements, and
 * only then do buttons such as "Run the checks in this browser" work.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const main = document.getElementById("main");
      return main !== null && Object.keys(main).some((k) => k.startsWith("__reactFiber"));
    },
    undefined,
    { timeout: 15_000 },
  );
}

/** A full-page PNG under web/e2e/artifacts/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  // A full-page capture in headless Chromium has hung for 30 s once in CI on a page that passes in 10 s; the
  // picture is an artifact, not an assertion, so a capture that hangs is taken again once before failing.
  try {
    await page.screenshot({ path, fullPage: true, animations: "disabled", timeout: 15_000 });
  } catch (err) {
    if ((err as Error).name !== "TimeoutError") throw err;
    console.warn(`screenshot ${name}: timed out once, taking it again`);
    await page.screenshot({ path, fullPage: true, animations: "disabled", timeout: 20_000 });
  }
  return path;
}
