import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
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
import type { ReactNode } from "react";
import { ThemeToggle, themeBootScript } from "~/components/theme";
import { webConfig } from "~/lib/config.server";
import { ALL_CONTRACTS, type NetworkMode, pageExists } from "~/lib/network-mode";
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

export async function loader(_: LoaderFunctionArgs) {
  // The navigation leaves out pages that cannot have data on this network; with the API down, all of them show
  // (the page itself then says the API is unavailable).
  const mode = await networkMode().catch(() => ALL_CONTRACTS);
  return { livePollSeconds: webConfig().LIVE_POLL_SECONDS, mode };
}

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
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        {/* Applies the saved theme before the first paint (a constant script, no data in it). */}
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: static code, nothing from the chain or the user */}
        <script dangerouslySetInnerHTML={{ __html: themeBootScript }} />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <Header />
        <main id="main">{children}</main>
        <footer className="site-footer">
          <p>
            Attestation Explorer: every number here is recomputed by the indexer from chain events and its own
            checks. Scores follow the open formula rep-v1, replayable by anyone holding the same events.
          </p>
        </footer>
        <ScrollRestoration />
        <Scripts />
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
        <button type="submit">Search</button>
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

export function ErrorPage({ error }: { error: unknown }) {
  if (isRouteErrorResponse(error)) {
    const message = typeof error.data === "string" ? error.data : error.statusText;
    if (error.status === 404) {
      return (
        <section className="error-page" aria-labelledby="error-title">
          <h1 id="error-title">Not found</h1>
          <p>{message || "There is nothing at this address."}</p>
          <p>
            Ids are 0x-prefixed hex. Try the search box, or go to the <Link to="/">dashboard</Link>.
          </p>
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
        </section>
      );
    }
    return (
      <section className="error-page" aria-labelledby="error-title">
        <h1 id="error-title">
          {error.status} {error.statusText}
        </h1>
        <p>{message}</p>
      </section>
    );
  }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">Something went wrong</h1>
      <p>The page could not be shown. The error was logged on the server.</p>
    </section>
  );
}
