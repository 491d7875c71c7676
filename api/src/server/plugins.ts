import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import type { Context } from "../graphql/context.ts";
import { PUBLIC_ERROR_CODES } from "../graphql/errors.ts";
import { findNulCharacter, listCost, listCostError } from "./guards.ts";
import type { Metrics } from "./metrics.ts";

/** Rejects operations whose lists could multiply past `max` values (needs the variables, so not a rule). */
export function listCostPlugin(max: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          const nul = findNulCharacter(request.variables ?? {});
          if (nul) {
            throw new GraphQLError(
              `Got ${nul} containing U+0000 (NUL), expected text without NUL characters`,
              {
                extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
              },
            );
          }
          if (!operation) return;
          const value = listCost(document, operation, request.variables ?? {});
          if (value > max) throw listCostError(value, max);
        },
      };
    },
  };
}

/**
 * The metrics labels of each request's operation (for answers served from the response cache), by the request's
 * loaders: Apollo runs an operation on a shallow copy of the context it was given, which shares that object.
 */
export const operationLabels = new WeakMap<Context["loaders"], { operation: string; type: string }>();

/** Request counts and latency by operation. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, errors, contextValue }) {
          const labels = {
            operation: metrics.operationLabel(operationName),
            type: operation?.operation ?? "unknown",
          };
          operationLabels.set(contextValue.loaders, labels);
          metrics.graphqlRequests.inc({ ...labels, outcome: errors?.length ? "error" : "ok" });
          metrics.graphqlDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}

/**
 * Logs each unexpected error once, with its operation and stack (clients see it masked in production). A database
 * outage goes to `outage` instead (one line per outage, not one per failing field).
 */
export function errorLogPlugin(
  log: (message: string) => void,
  outage?: (where: string, err: unknown) => void,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors as readonly GraphQLError[]) {
            const code = error.extensions?.code;
            if (typeof code === "string" && PUBLIC_ERROR_CODES.has(code)) continue;
            const cause = error.originalError ?? error;
            if (outage && isDatabaseUnavailable(cause)) {
              outage(`operation ${operationName ?? "(anonymous)"}`, cause);
              continue;
            }
            log(
              `api: error in operation ${operationName ?? "(anonymous)"} at ${error.path?.join(".") ?? "-"}: ${cause.stack ?? cause.message}`,
            );
          }
        },
      };
    },
  };
}

/** `Cache-Control: no-store` on every GraphQL response, as Apollo's cache-control plugin sets without hints. */
export function noStorePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has("cache-control"))
            response.http.headers.set("cache-control", "no-store");
        },
      };
    },
  };
}
