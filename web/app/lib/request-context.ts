import { createContext } from "react";

// What web/server.mjs hands each request through Remix's load context (getLoadContext).
declare module "@remix-run/node" {
  interface AppLoadContext {
    /** This response's CSP nonce (script-src 'nonce-…'): every inline or Remix script carries it. */
    cspNonce?: string;
    /** A short id for this request, in the X-Request-Id header, on error pages and in the server's log. */
    requestId?: string;
    /** Set when the server renders the app's error page for an error found outside Remix (400, 404, 500). */
    errorStatus?: number;
  }
}

/** The CSP nonce during server rendering (app/entry.server.tsx); undefined in the browser, where it is not needed. */
export const NonceContext = createContext<string | undefined>(undefined);
