import { expect } from "vitest";
import type { ApiConfig } from "../config.ts";
import type { Db } from "../db/database.ts";
import { type ApiServer, createApiServer } from "../server/app.ts";

// Starts the API on a free port for a test and sends it GraphQL over HTTP.

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  body: {
    data?: Data | null;
    errors?: {
      message: string;
      path?: (string | number)[];
      extensions?: { code?: string } & Record<string, unknown>;
    }[];
  };
}

export interface TestApi {
  server: ApiServer;
  url: string;
  base: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are untyped JSON unless the caller says otherwise
  gql<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<Data>>;
  close(): Promise<void>;
}

/** The data of a query that must succeed: fails the test (with the errors) on any error or a status other than 200. */
// biome-ignore lint/suspicious/noExplicitAny: answers are untyped JSON unless the caller says otherwise
export async function gqlOk<Data = any>(
  api: TestApi,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Data> {
  const r = await api.gql<Data>(query, variables);
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.body.data as Data;
}

export async function startTestApi(
  config: ApiConfig,
  db: Db,
  listen: { connectionString: string },
): Promise<TestApi> {
  const logs: string[] = [];
  const server = await createApiServer({ config, db, listen, log: (m) => logs.push(m) });
  const url = await server.listen(0, "127.0.0.1");
  return {
    server,
    url,
    base: url.replace(/\/graphql$/, ""),
    async gql(query, variables) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GraphQLResponse["body"] } as never;
    },
    close: () => server.close(),
  };
}
