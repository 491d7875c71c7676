import client from "prom-client";
import type { Db } from "../db/database.ts";

// Prometheus metrics at /metrics: GraphQL requests and latency by operation, HTTP responses by route, the
// database pool, subscriptions, and the process's own metrics. One registry per server (tests run several).

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_NAMES = 200;

export class Metrics {
  readonly registry = new client.Registry();
  private readonly operationNames = new Set<string>();
  readonly graphqlRequests: client.Counter<"operation" | "type" | "outcome">;
  readonly graphqlDuration: client.Histogram<"operation" | "type">;
  readonly httpResponses: client.Counter<"route" | "status">;

  constructor(sources: { db: Db; subscriptions: () => number; notifications: () => number }) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: "api_" });
    this.graphqlRequests = new client.Counter({
      name: "api_graphql_requests_total",
      help: "GraphQL operations by name, type and outcome (ok, error)",
      labelNames: ["operation", "type", "outcome"],
      registers,
    });
    this.graphqlDuration = new client.Histogram({
      name: "api_graphql_request_duration_seconds",
      help: "GraphQL operation latency by name and type",
      labelNames: ["operation", "type"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.httpResponses = new client.Counter({
      name: "api_http_responses_total",
      help: "HTTP responses by route and status",
      labelNames: ["route", "status"],
      registers,
    });
    const pool = sources.db.pool;
    new client.Gauge({
      name: "api_db_pool_connections",
      help: "Database pool connections by state (total, idle, waiting requests)",
      labelNames: ["state"],
      registers,
      collect() {
        this.set({ state: "total" }, pool.totalCount);
        this.set({ state: "idle" }, pool.idleCount);
        this.set({ state: "waiting" }, pool.waitingCount);
      },
    });
    new client.Gauge({
      name: "api_subscriptions_active",
      help: "Open GraphQL subscriptions",
      registers,
      collect() {
        this.set(sources.subscriptions());
      },
    });
    new client.Gauge({
      name: "api_indexer_notifications_handled",
      help: "Indexer batch notifications handled since start",
      registers,
      collect() {
        this.set(sources.notifications());
      },
    });
  }

  /** A bounded label for an operation name chosen by the client. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (!OPERATION_NAME.test(name)) return "other";
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return "other";
    this.operationNames.add(name);
    return name;
  }
}
