import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { type ReactNode, useContext } from "react";
import { NowProvider } from "~/components/age";
import { SearchSuggestions } from "~/components/search-box";
import { ThemeToggle, themeBootScript } from "~/components/theme";
import { webConfig } from "~/lib/config.server";
import { ALL_CONTRACTS, type NetworkMode, pageExists } from "~/lib/network-mode";
import { NonceContext } from "~/lib/request-context";
import { networkMode } from "~/models/network.server";
import styles from "~/styles.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = ({ error }) => {
  if (!error) return [{ title: "Attestation Explorer" }];
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const what =
    status === 404
      ? "Not found"
      : status === 503
        ? "API unavailable"
        : status === 400
          ? "Bad request"
          : "Error";
  return [{ title: `${what} · Attestation Explorer` }];
};

const ERROR_TEXT: Record<number, string> = {
  400: "The address is not valid (a malformed percent-encoding, or a request the explorer does not take).",
  404: "There is nothing at this address.",
  500: "The page could not be shown. The error was logged on the server.",
};

export async function loader({ context }: LoaderFunctionArgs) {
  const requestId = context.requestId ?? null;
  // web/server.mjs renders the app's error page for errors found before Remix ran (a malformed URI, say).
  if (context.errorStatus) {
    const status = context.errorStatus;
    throw data({ message: ERROR_TEXT[status] ?? ERROR_TEXT[500], requestId }, { status });
  }
  // The navigation leaves out pages that cannot have data on this network; with the API down, all of them show
  // (the page itself then says the API is unavailable).
  const mode = await networkMode().catch(() => ALL_CONTRACTS);
  // `now`: the clock the lists' "12 s ago" are rendered against, on the server and in the first browser render.
  return { livePollSeconds: webConfig().LIVE_POLL_SECONDS, mode, requestId, now: Date.now() };
}

/** The root loader runs on every navigation, so an error page names the request that failed. */
export const shouldRevalidate = () => true;

const NAV = [
  ["/", "Dashboard"],
  ["/nodes", "Nodes"],
  ["/models", "Models"],
  ["/inferences", "Inferences"],
  ["/settlements", "Settlements"],
  ["/slashes", "Slashes"],
  ["/reorgs", "Reorgs"],
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useContext(NonceContext);
  const serverNow = useRouteLoaderData<typeof loader>("root")?.now ?? null;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        {/* Applies the saved theme before the first paint (a constant script, no data in it). */}
        {/* The CSP allows it through this response's nonce (web/server.mjs). */}
        <script
          nonce={nonce}
          suppressHydrationWarning
          // biome-ignore lint/security/noDangerouslySetInnerHtml: static code, nothing from the chain or the user
          dangerouslySetInnerHTML={{ __html: themeBootScript }}
        />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <Header />
        <NowProvider serverNow={serverNow}>
          <main id="main">{children}</main>
        </NowProvider>
        <footer className="site-footer">
          <p>
            Attestation Explorer: every number here is recomputed by the indexer from chain events and its own
            checks. Scores follow the open formula rep-v1, replayable by anyone holding the same events.
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function Header() {
  const location = useLocation();
  const mode = useNetworkMode();
  const q = location.pathname === "/search" ? (new URLSearchParams(location.search).get("q") ?? "") : "";
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        Attestation Explorer
      </Link>
      <nav aria-label="Main">
        <ul>
          {NAV.filter(([to]) => pageExists(to, mode)).map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} end={to === "/"}>
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Form method="get" action="/search" role="search" className="search-box" key={q}>
        <label htmlFor="site-search" className="sr-only">
          Search by id, transaction hash, address or model name
        </label>
        <input
          id="site-search"
          name="q"
          type="search"
          defaultValue={q}
          placeholder="Search id, tx hash, address, model…"
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
        />
        <SearchSuggestions inputId="site-search" />
        <button type="submit" aria-label="Search">
          <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16" className="search-icon">
            <circle cx="7" cy="7" r="4.5" />
            <path d="M10.5 10.5 14 14" />
          </svg>
          <span className="search-label">Search</span>
        </button>
      </Form>
      <ThemeToggle />
    </header>
  );
}

export default function App() {
  return <Outlet />;
}

/** What exists on the indexed network (from the root loader): all three contracts unless it says otherwise. */
export function useNetworkMode(): NetworkMode {
  return useRouteLoaderData<typeof loader>("root")?.mode ?? ALL_CONTRACTS;
}

/** The live-poll interval from the root loader, for pages that update themselves. */
export function useLivePollSeconds(): number {
  return useRouteLoaderData<typeof loader>("root")?.livePollSeconds ?? 0;
}

export function ErrorBoundary() {
  const error = useRouteError();
  return <ErrorPage error={error} />;
}

/** The request id of an error page: from the thrown data (server.mjs's errors) or the root loader's. */
function useRequestId(error: unknown): string | null {
  const fromRoot = useRouteLoaderData<typeof loader>("root")?.requestId ?? null;
  if (
    isRouteErrorResponse(error) &&
    error.data &&
    typeof error.data === "object" &&
    "requestId" in error.data
  ) {
    const id = (error.data as { requestId?: unknown }).requestId;
    if (typeof id === "string") return id;
  }
  return fromRoot;
}

function RequestId({ id }: { id: string | null }) {
  if (!id) return null;
  return (
    <p className="muted request-id">
      Request id: <code>{id}</code>
    </p>
  );
}

export function ErrorPage({ error }: { error: unknown }) {
  const requestId = useRequestId(error);
  if (isRouteErrorResponse(error)) {
    const message =
      typeof error.data === "string"
        ? error.data
        : error.data && typeof error.data === "object" && typeof error.data.message === "string"
          ? (error.data.message as string)
          : error.statusText;
    if (error.status === 404) {
      return (
        <section className="error-page" aria-labelledby="error-title">
          <h1 id="error-title">Not found</h1>
          <p>{message || "There is nothing at this address."}</p>
          <p>
            Ids are 0x-prefixed hex. Try the search box, or go to the <Link to="/">dashboard</Link>.
          </p>
          <RequestId id={requestId} />
        </section>
      );
    }
    if (error.status === 503) {
      return (
        <section className="error-page" aria-labelledby="error-title">
          <h1 id="error-title">The API is unavailable</h1>
          <p>The explorer reads everything from the public GraphQL API, and the API did not answer.</p>
          <p className="muted">{message}</p>
          <p>
            <Link to=".">Try again</Link>
          </p>
          <RequestId id={requestId} />
        </section>
      );
    }
    if (error.status >= 500) {
      return (
        <section className="error-page" aria-labelledby="error-title">
          <h1 id="error-title">Something went wrong</h1>
          <p>The page could not be shown. The error was logged on the server.</p>
          <RequestId id={requestId} />
        </section>
      );
    }
    return (
      <section className="error-page" aria-labelledby="error-title">
        <h1 id="error-title">
          {error.status === 400 ? "Bad request" : `${error.status} ${error.statusText}`}
        </h1>
        <p>{message}</p>
        <RequestId id={requestId} />
      </section>
    );
  }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">Something went wrong</h1>
      <p>The page could not be shown. The error was logged on the server.</p>
      <RequestId id={requestId} />
    </section>
  );
}
