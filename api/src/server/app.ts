import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, HeaderMap } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import type { ApiConfig } from "../config.ts";
import { type IndexerStateRow, readIndexerState, readSnapshotAndState } from "../data/indexer-state.ts";
import type { Db } from "../db/database.ts";
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  outageLogger,
  RETRY_AFTER_SECONDS,
} from "../db/unavailable.ts";
import { EXPORT_PREFIX, handleExport } from "../exports/handler.ts";
import { type Context, createContext } from "../graphql/context.ts";
import { compiledGateway } from "../graphql/executor.ts";
import { formatError } from "../graphql/format-error.ts";
import { buildSchema } from "../graphql/schema.ts";
import { Hub } from "../subscriptions/hub.ts";
import { IndexerListener } from "../subscriptions/indexer-listener.ts";
import { ASSET_PREFIX, sendAsset, sendGraphiQL, wantsGraphiQL } from "./graphiql.ts";
import { aliasLimitRule, depthLimitRule, httpOperationTypeRule, nulCharacterRule } from "./guards.ts";
import { checkHealth } from "./health.ts";
import {
  applyCors,
  BodyTooLarge,
  clientAddress,
  drainBody,
  preflight,
  readBody,
  sendError,
  sendJson,
} from "./http-util.ts";
import { Metrics } from "./metrics.ts";
import {
  BEHIND_RETRY_AFTER_SECONDS,
  behindMessage,
  INDEXED_HEIGHT_HEADER,
  parseMinHeight,
  readAtLeast,
} from "./min-height.ts";
import { errorLogPlugin, listCostPlugin, metricsPlugin, noStorePlugin, operationLabels } from "./plugins.ts";
import { RateLimiter } from "./rate-limit.ts";
import { ResponseCache } from "./response-cache.ts";
import { attachWebSocket, type WebSocketEndpoint } from "./websocket.ts";

// The API's HTTP server: /graphql (POST and GET queries, GraphiQL for browsers, WebSocket subscriptions),
// /healthz and /metrics, on Node's http module with Apollo Server's executeHTTPGraphQLRequest, so body limits,
// malformed JSON (400), CORS and rate limiting are decided here before GraphQL runs.

export interface ApiServerOptions {
  config: ApiConfig;
  db: Db;
  /** How the LISTEN connection reaches the database (the pool's connection string and role). */
  listen: { connectionString: string; role?: string };
  log?: (message: string) => void;
  /** Bytes of GraphQL answers kept while the database is unchanged (response-cache.ts); 0 turns it off. */
  responseCacheBytes?: number;
}

export interface ApiServer {
  readonly httpServer: Server;
  readonly hub: Hub;
  readonly listener: IndexerListener;
  readonly metrics: Metrics;
  /** Starts listening; resolves with the /graphql URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, ends subscriptions, finishes in-flight requests (up to 5 s), stops LISTEN. */
  close(): Promise<void>;
}

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { config, db } = options;
  const log = options.log ?? ((m: string) => console.error(m));
  /** Details of a database outage, for the log only (at most one line per 10 s). */
  const databaseOutage = outageLogger(log);
  const pathOf = (req: IncomingMessage) => (req.url ?? "/").split("?")[0];
  const schema = buildSchema();
  const hub = new Hub();
  const listener = new IndexerListener({
    db,
    hub,
    ...options.listen,
    log,
    source: config.subscriptionSource,
    pollMs: config.subscriptionPollMs,
  });
  let ws: WebSocketEndpoint | undefined;
  const metrics = new Metrics({ db, subscriptions: () => hub.size, notifications: () => listener.batches });
  const rateLimiter = new RateLimiter(config.rateLimitPerMinute, new Set(config.rateLimitExempt));
  const responseCache = new ResponseCache(options.responseCacheBytes);
  const rules = [depthLimitRule(config.maxDepth), aliasLimitRule(config.maxAliases), nulCharacterRule];

  const apollo = new ApolloServer<Context>({
    // Queries run compiled (graphql-jit) with graphql-js's answers; subscriptions keep graphql-js (websocket.ts).
    gateway: compiledGateway(schema),
    introspection: true,
    nodeEnv: config.nodeEnv,
    includeStacktraceInErrorResponses: config.exposeErrors,
    parseOptions: { maxTokens: config.maxTokens },
    // HTTP serves queries only; the WebSocket endpoint validates with `rules` and allows subscriptions.
    validationRules: [...rules, httpOperationTypeRule],
    // No automatic persisted queries: a request that asks for one gets PERSISTED_QUERY_NOT_SUPPORTED (400).
    persistedQueries: false,
    formatError: (formatted, error) => formatError(formatted, !config.exposeErrors, error),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints in this schema: the default cache-control plugin would only ever answer no-store, yet it
      // hooks every field's resolution (a third of the execution time of a 50-node page). noStorePlugin sends
      // the same header.
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      listCostPlugin(config.maxListCost),
      metricsPlugin(metrics),
      errorLogPlugin(log, databaseOutage),
    ],
  });
  await apollo.start();

  const count = (route: string, res: ServerResponse) =>
    res.once("finish", () => metrics.httpResponses.inc({ route, status: String(res.statusCode) }));

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = process.hrtime.bigint();
    if (req.method === "OPTIONS") return preflight(res);
    const rate = rateLimiter.take(clientAddress(req, config.trustProxy));
    if (rateLimiter.enabled) {
      res.setHeader("RateLimit-Limit", String(rate.limit));
      res.setHeader("RateLimit-Remaining", String(rate.remaining));
    }
    if (!rate.allowed) {
      return sendError(
        res,
        429,
        "RATE_LIMITED",
        `Got more than ${rate.limit} requests in a minute from this address, expected at most ${rate.limit}; retry in ${rate.resetSeconds} s`,
        { "Retry-After": String(rate.resetSeconds) },
      );
    }
    if (wantsGraphiQL(req, url)) return sendGraphiQL(res);
    if (req.method !== "GET" && req.method !== "POST") {
      return sendError(res, 405, "BAD_REQUEST", `Got method ${req.method}, expected GET or POST`, {
        Allow: "GET, POST, OPTIONS",
      });
    }

    let body: unknown;
    /** Set for a request whose answer may come from (and go to) the response cache. */
    let cacheKey: string | undefined;
    if (req.method === "POST") {
      let raw: Buffer;
      try {
        raw = await readBody(req, config.maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          // Read (and drop) the rest first: answering while the client still sends ends in a reset, not a 413.
          await drainBody(req);
          res.setHeader("Connection", "close");
          return sendError(
            res,
            413,
            "PAYLOAD_TOO_LARGE",
            `Got a request body over ${config.maxBodyBytes} bytes, expected at most ${config.maxBodyBytes}`,
          );
        }
        throw err;
      }
      const type = req.headers["content-type"] ?? "";
      if (
        /^application\/(graphql-response\+)?json\b/i.test(type) ||
        type.toLowerCase().startsWith("application/json")
      ) {
        try {
          body = raw.length === 0 ? undefined : JSON.parse(raw.toString("utf8"));
          if (
            responseCache.enabled &&
            !/no-cache|no-store/i.test(String(req.headers["cache-control"] ?? ""))
          ) {
            cacheKey = responseCache.key(String(req.headers.accept ?? ""), raw);
          }
        } catch (err) {
          return sendError(
            res,
            400,
            "BAD_REQUEST",
            `Got a body that is not valid JSON (${(err as Error).message}), expected a JSON object such as {"query": "{ indexerStatus { height } }"}`,
          );
        }
      } else {
        body = raw.toString("utf8");
      }
    }

    const minHeight = parseMinHeight(req);
    if (typeof minHeight === "object") return sendError(res, 400, "BAD_USER_INPUT", minHeight.error);

    // A cacheable request reads the snapshot and the indexer's position in one statement first; its answer
    // then comes from the cache, or is computed with that position (not read again). A request with X-Min-Height
    // first waits until this database has replayed that far (min-height.ts), re-reading the same way.
    let read: { snapshot: string; state: IndexerStateRow | null; tick: number } | undefined;
    let state: IndexerStateRow | null | undefined;
    if (cacheKey !== undefined) {
      // If it fails (the database does not answer), the request goes on without the cache and fails the usual way.
      const reading = await readAtLeast(
        () => {
          const tick = responseCache.tick();
          return readSnapshotAndState(db).then(
            (r) => ({ ...r, tick }),
            () => undefined,
          );
        },
        (r) => (r ? (r.state?.height ?? 0) : undefined),
        minHeight,
        config.minHeightWaitMs,
      );
      read = reading.value;
      state = read?.state;
      if (!reading.reached && read) return sendBehind(res, read.state?.height ?? 0, minHeight as number);
    } else if (minHeight !== undefined) {
      // As above, a failed reading leaves the request to fail the usual way (a GraphQL error).
      const reading = await readAtLeast(
        () => readIndexerState(db).catch(() => undefined),
        (r) => (r === undefined ? undefined : (r?.height ?? 0)),
        minHeight,
        config.minHeightWaitMs,
      );
      state = reading.value;
      if (!reading.reached && state !== undefined)
        return sendBehind(res, state?.height ?? 0, minHeight as number);
    }
    if (read && cacheKey !== undefined) {
      const hit = responseCache.get(cacheKey, read.snapshot, read.tick);
      if (hit) {
        for (const [name, value] of hit.headers) res.setHeader(name, value);
        // Nothing committed since it was computed: its data is exactly at this position.
        res.setHeader(INDEXED_HEIGHT_HEADER, String(read.state?.height ?? 0));
        res.statusCode = hit.status;
        res.end(hit.body);
        const labels = { operation: hit.operation, type: hit.type };
        metrics.graphqlRequests.inc({ ...labels, outcome: "ok" });
        metrics.graphqlDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        return;
      }
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const context = createContext(db, undefined, state);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: async () => context,
    });
    // X-Indexed-Height of a computed answer: the position read after computing it, so no data in the answer is
    // newer (whoever asks for this height next gets nothing older than this answer). Left out if it cannot be read.
    const after = await readIndexerState(db).catch(() => undefined);
    if (after !== undefined) res.setHeader(INDEXED_HEIGHT_HEADER, String(after?.height ?? 0));
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      const text = response.body.string;
      res.end(text);
      const labels = operationLabels.get(context.loaders);
      if (read && cacheKey !== undefined && labels?.type === "query" && res.statusCode === 200) {
        // Any answer with errors (or merely the text "errors" somewhere in its data) is not kept.
        if (!text.includes('"errors"')) {
          responseCache.set(cacheKey, {
            snapshot: read.snapshot,
            status: 200,
            headers: [...response.headers],
            body: text,
            ...labels,
          });
        }
      }
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!applyCors(req, res, config.corsOrigins)) {
      count("cors", res);
      return sendError(
        res,
        403,
        "BAD_REQUEST",
        `Got Origin ${req.headers.origin}, which is not allowed to use this API`,
      );
    }
    if (url.pathname === "/graphql") {
      count("graphql", res);
      return graphql(req, res, url);
    }
    if (url.pathname === "/healthz") {
      count("healthz", res);
      const health = await checkHealth(db, config.healthStallSeconds, Date.now(), (err) =>
        databaseOutage("/healthz", err),
      );
      const height = health.body.height;
      return sendJson(res, health.status, health.body, {
        "Cache-Control": "no-store",
        ...(typeof height === "number" ? { [INDEXED_HEIGHT_HEADER]: String(height) } : {}),
      });
    }
    if (url.pathname === "/metrics") {
      count("metrics", res);
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "Content-Type": metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (url.pathname.startsWith(EXPORT_PREFIX)) {
      count("export", res);
      const minHeight = parseMinHeight(req);
      if (typeof minHeight === "object") return sendError(res, 400, "BAD_USER_INPUT", minHeight.error);
      if (minHeight !== undefined) {
        // The export's own snapshot is taken after this; its X-Indexed-Height is that snapshot's (handler.ts). A
        // failed reading is left to the export, which says so in its own way.
        const reading = await readAtLeast(
          () => readIndexerState(db).catch(() => undefined),
          (r) => (r === undefined ? undefined : (r?.height ?? 0)),
          minHeight,
          config.minHeightWaitMs,
        );
        if (reading.value !== undefined && !reading.reached)
          return sendBehind(res, reading.value?.height ?? 0, minHeight);
      }
      return handleExport(req, res, url, db, log, (err) => databaseOutage(url.pathname, err));
    }
    if (url.pathname.startsWith(ASSET_PREFIX) && req.method === "GET") {
      count("graphiql", res);
      if (sendAsset(res, url.pathname.slice(ASSET_PREFIX.length))) return;
    }
    count("other", res);
    return sendError(
      res,
      404,
      "NOT_FOUND",
      `Got path ${url.pathname}, expected /graphql, /healthz or /metrics`,
    );
  }

  /** 503 for a request whose X-Min-Height this API's database did not reach within MIN_HEIGHT_WAIT_MS. */
  function sendBehind(res: ServerResponse, height: number, minHeight: number): void {
    sendError(res, 503, "SERVICE_UNAVAILABLE", behindMessage(height, minHeight), {
      "Retry-After": String(BEHIND_RETRY_AFTER_SECONDS),
      [INDEXED_HEIGHT_HEADER]: String(height),
    });
  }

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (isDatabaseUnavailable(err)) {
        databaseOutage(`${req.method} ${pathOf(req)}`, err);
        if (!res.headersSent) {
          return sendError(res, 503, "SERVICE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE, {
            "Retry-After": String(RETRY_AFTER_SECONDS),
          });
        }
        return res.destroy();
      }
      log(`api: request ${req.method} ${req.url} failed: ${err.stack ?? err.message}`);
      if (!res.headersSent) sendError(res, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
      else res.destroy(err);
    });
  });
  ws = attachWebSocket({ httpServer, schema, db, hub, config, rules, rateLimiter, log });
  await listener.start();

  let closing: Promise<void> | undefined;
  return {
    httpServer,
    hub,
    listener,
    metrics,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => {
          httpServer.off("error", reject);
          const address = httpServer.address() as AddressInfo;
          const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}/graphql`);
        });
      });
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        hub.close();
        await ws?.close();
        await listener.stop();
        const timer = setTimeout(() => httpServer.closeAllConnections(), 5_000);
        await apollo.stop();
        await stopped;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
