// Remix's default Node entry (@remix-run/dev's entry.server.node.tsx) with two additions: the per-request CSP
// nonce from web/server.mjs goes to React's inline bootstrap scripts, to <RemixServer> and (through NonceContext)
// to root.tsx's scripts; errors are logged once, on one entry with the request id (never sent to the client).

import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/lib/request-context";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(
        new Response(createReadableStreamFromReadable(body), {
          headers: responseHeaders,
          status: responseStatusCode,
        }),
      );
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onShellReady: waitForAll ? undefined : ready,
        onAllReady: waitForAll ? ready : undefined,
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors while rendering the shell reject and reach handleError; later ones are logged here.
          if (shellRendered) logError(error, request, loadContext);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/** One log entry per error: request id, method, path, then the stack (the client sees only the id). */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  // A 4xx answer Remix made itself (e.g. 405 for a POST to a page without an action) is not an error of ours.
  if (isRouteErrorResponse(error) && error.status < 500) return;
  // Remix's warning for a ?_data query on a single-fetch app (it answers normally): not an error.
  if (error instanceof Error && error.message.startsWith("Warning: Single fetch")) return;
  logError(error, request, context);
};

function logError(error: unknown, request: Request, context: AppLoadContext) {
  const url = new URL(request.url);
  const where = JSON.stringify(`${url.pathname}${url.search}`.slice(0, 300));
  const what = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  console.error(`web: ${context.requestId ?? "-"} ${request.method} ${where} 500: ${what}`);
}
