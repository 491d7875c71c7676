import type { ApolloServerOptionsWithGateway } from "@apollo/server";
import { BREAK, type DocumentNode, type ExecutionResult, execute, type GraphQLSchema, visit } from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import type { Context } from "./context.ts";

// How Apollo Server executes an HTTP query (subscriptions over WebSocket keep graphql-js, websocket.ts): each
// operation is compiled once into JavaScript by graphql-jit (docs/decisions/011-compiled-graphql-executor.md),
// and runs as that function afterwards, skipping graphql-js's per-field interpretation (a fifth of a computed
// answer's CPU time). Apollo still parses (once per query text, its document store), validates, runs the
// plugins and formats errors; only execution is replaced, through its gateway executor hook.
//
// Answers are those of graphql-js byte for byte: an operation graphql-jit cannot compile, or one that asks for the
// schema by introspection, runs on graphql-js; and so does any execution that ends with an error (a bad variable,
// a resolver's BAD_USER_INPUT, a database outage, null bubbling): the operation runs again on graphql-js, whose
// errors (messages, paths, order, partial data) are the contract's. Queries have no side effects, so running one
// twice changes nothing but its cost, paid only by answers that have errors.

type Gateway = ApolloServerOptionsWithGateway<Context>["gateway"];
/** What the gateway executor is given (the part used here). */
interface GatewayRequest {
  document: DocumentNode;
  request: { operationName?: string; variables?: Record<string, unknown> };
  context: Context;
}
type Compiled = CompiledQuery<Record<string, unknown>, Record<string, unknown>>;

/** Whether an operation reads __schema or __type (introspection: left to graphql-js). */
function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Compiled operations by document (Apollo hands over the same document object for the same query text while it
 * is in its document store, so this holds no more than that store) and operation name.
 */
export class CompiledOperations {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string | undefined, Compiled | null>>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** The compiled operation, or null when it runs on graphql-js. */
  get(document: DocumentNode, operationName: string | undefined): Compiled | null {
    let operations = this.byDocument.get(document);
    if (!operations) {
      operations = new Map();
      this.byDocument.set(document, operations);
    }
    let compiled = operations.get(operationName);
    if (compiled === undefined) {
      compiled = null;
      if (!introspects(document)) {
        // (Its types name the workspace root's graphql, another major version than the API's: the same objects.)
        const result = compileQuery(this.schema, document as never, operationName);
        if (isCompiledQuery(result)) compiled = result as Compiled;
      }
      operations.set(operationName, compiled);
    }
    return compiled;
  }

  /** Executes as graphql-js would, by the compiled operation when it answers without errors. */
  async execute(
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown> | undefined,
    contextValue: Context,
  ): Promise<ExecutionResult> {
    const compiled = this.get(document, operationName);
    if (compiled) {
      // (A throw, which graphql-js would not, also leaves the answer to graphql-js.)
      const result = await Promise.resolve()
        .then(() => compiled.query(undefined, contextValue, variables ?? {}))
        .catch(() => undefined);
      if (result && !result.errors?.length) return { data: result.data };
    }
    return execute({ schema: this.schema, document, operationName, variableValues: variables, contextValue });
  }
}

/** Apollo Server's gateway option with only an executor: the schema as given, operations run compiled. */
export function compiledGateway(schema: GraphQLSchema): Gateway {
  const operations = new CompiledOperations(schema);
  const gateway = {
    async load() {
      return {
        schema,
        executor: (request: GatewayRequest) =>
          operations.execute(
            request.document,
            request.request.operationName,
            request.request.variables,
            request.context,
          ),
      };
    },
    onSchemaLoadOrUpdate(
      callback: (schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void,
    ) {
      callback({ apiSchema: schema, coreSupergraphSdl: "" });
      return () => {};
    },
    async stop() {},
  };
  // Apollo's gateway types name the workspace root's graphql (another major version): the same shapes.
  return gateway as unknown as Gateway;
}
