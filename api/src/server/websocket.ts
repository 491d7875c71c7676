import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from "graphql";
import { useServer as attachGraphqlWs } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { ApiConfig } from "../config.ts";
import type { Db } from "../db/database.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import { createContext } from "../graphql/context.ts";
import { formatError } from "../graphql/format-error.ts";
import type { Hub } from "../subscriptions/hub.ts";
import { listCost, listCostError } from "./guards.ts";
import { clientAddress } from "./http-util.ts";
import type { RateLimiter } from "./rate-limit.ts";

// GraphQL over WebSocket (graphql-transport-ws, graphql-ws) at /graphql, for the subscriptions. The same limits
// as HTTP apply: token limit, depth and alias rules, list cost; a new connection counts against the rate limit.

export interface WebSocketOptions {
  httpServer: HttpServer;
  schema: GraphQLSchema;
  db: Db;
  hub: Hub;
  config: ApiConfig;
  rules: ValidationRule[];
  rateLimiter: RateLimiter;
  log: (message: string) => void;
}

export interface WebSocketEndpoint {
  close(): Promise<void>;
  readonly connections: number;
}

function reject(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function attachWebSocket(options: WebSocketOptions): WebSocketEndpoint {
  const { httpServer, schema, db, hub, config } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxBodyBytes });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/graphql") return reject(socket, 404, "Not Found");
    const origin = req.headers.origin;
    if (config.corsOrigins !== "*" && origin && !config.corsOrigins.includes(origin)) {
      return reject(socket, 403, "Forbidden");
    }
    if (!options.rateLimiter.take(clientAddress(req, config.trustProxy)).allowed) {
      return reject(socket, 429, "Too Many Requests");
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  };
  httpServer.on("upgrade", onUpgrade);

  const rules = [...specifiedRules, ...options.rules];
  const server = attachGraphqlWs(
    {
      schema,
      isProd: !config.exposeErrors,
      onSubscribe(_ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] {
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: config.maxTokens });
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return [new GraphQLError("Got no operation to run, expected exactly one (or an operationName)")];
        const variables = (payload.variables ?? {}) as Record<string, unknown>;
        const cost = listCost(document, operation, variables);
        if (cost > config.maxListCost) return [listCostError(cost, config.maxListCost)];
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: variables,
          contextValue: createContext(db, hub),
        };
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return;
        for (const error of result.errors) {
          if (!error.extensions?.code && !isDatabaseUnavailable(error))
            options.log(`api: subscription error: ${error.originalError?.stack ?? error.message}`);
        }
        return {
          ...result,
          errors: result.errors.map((e) =>
            formatError(
              { ...e.toJSON(), extensions: { code: "INTERNAL_SERVER_ERROR", ...e.extensions } },
              !config.exposeErrors,
              e,
            ),
          ),
        };
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map((e) =>
          formatError(
            { ...e.toJSON(), extensions: { code: "GRAPHQL_VALIDATION_FAILED", ...e.extensions } },
            !config.exposeErrors,
          ),
        );
      },
    },
    wss,
  );

  return {
    get connections() {
      return wss.clients.size;
    },
    async close() {
      httpServer.off("upgrade", onUpgrade);
      for (const client of wss.clients) client.close(1001, "Server shutting down");
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
