import {
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from "graphql";
import { DEFAULT_FIRST, MAX_FIRST } from "../pagination/connection.ts";

// Limits on what one operation may ask for (STYLE.md "every list is bounded"): depth and alias limits are
// validation rules (GRAPHQL_VALIDATION_FAILED, HTTP 400); the token limit is the parser's maxTokens; the list
// cost needs the variables, so it is checked once the operation is resolved (listCost). Introspection fields
// (__schema, __type) do not count towards depth: IDEs send deep introspection queries.

type Fragments = Map<string, FragmentDefinitionNode>;

function fragmentsOf(document: DocumentNode): Fragments {
  const out: Fragments = new Map();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out.set(d.name.value, d);
  return out;
}

/** Depth of a selection set: fields nested in fields, through fragments (a fragment cycle counts once). */
export function selectionDepth(
  set: SelectionSetNode,
  fragments: Fragments,
  visiting = new Set<string>(),
): number {
  let max = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value.startsWith("__")) continue;
      max = Math.max(max, 1 + (s.selectionSet ? selectionDepth(s.selectionSet, fragments, visiting) : 0));
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, selectionDepth(s.selectionSet, fragments, visiting));
    } else {
      const name = s.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      max = Math.max(max, selectionDepth(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return max;
}

export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const depth = selectionDepth(node.selectionSet, fragments);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(
              `Got a query of depth ${depth}${node.name ? ` (operation ${node.name.value})` : ""}, expected at most ${maxDepth}`,
              { nodes: [node] },
            ),
          );
        }
      },
    };
  };
}

export function aliasLimitRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias) return;
        aliases++;
        if (aliases > maxAliases && !reported) {
          reported = true;
          context.reportError(
            new GraphQLError(
              `Got more than ${maxAliases} aliases in one document, expected at most ${maxAliases}`,
              {
                nodes: [node],
              },
            ),
          );
        }
      },
    };
  };
}

/** Items a list field may return at most, by field name when it has no `first` (history, search). */
const UNPAGED_LIST_SIZE: Record<string, number> = {
  history: 1000,
  networkHistory: 1000,
  search: 20,
  byMode: 3,
};

function intValue(node: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!node) return undefined;
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const v = variables[node.name.value];
    return typeof v === "number" ? v : undefined;
  }
  return undefined;
}

function fieldSize(field: FieldNode, variables: Record<string, unknown>): number {
  const first = field.arguments?.find((a) => a.name.value === "first");
  if (first) {
    const n = intValue(first.value, variables);
    return n === undefined ? DEFAULT_FIRST : Math.max(0, Math.min(n, MAX_FIRST));
  }
  // `first` left out of a paged field defaults to 50 (Inference.slashes, unpaged, is counted the same: it is
  // short); other lists are bounded by what they can return.
  const name = field.name.value;
  if (/^(nodes|models|inferences|settlements|batchSettlements|slashes|challenges|reorgs)$/.test(name)) {
    return DEFAULT_FIRST;
  }
  return UNPAGED_LIST_SIZE[name] ?? 1;
}

function cost(
  set: SelectionSetNode,
  multiplier: number,
  fragments: Fragments,
  variables: Record<string, unknown>,
  visiting: Set<string>,
): number {
  let total = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value.startsWith("__")) continue;
      const rows = multiplier * fieldSize(s, variables);
      total += multiplier;
      if (s.selectionSet) total += cost(s.selectionSet, rows, fragments, variables, visiting);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      total += cost(s.selectionSet, multiplier, fragments, variables, visiting);
    } else {
      const fragment = fragments.get(s.name.value);
      if (!fragment || visiting.has(s.name.value)) continue;
      visiting.add(s.name.value);
      total += cost(fragment.selectionSet, multiplier, fragments, variables, visiting);
      visiting.delete(s.name.value);
    }
  }
  return total;
}

/**
 * An upper bound of the values one operation can return: every field counts once per parent it can appear
 * under, lists multiply by their `first` (default 50) or their bound. nodes(first: 1000) { inferences(first:
 * 1000) { id } } is about a million.
 */
export function listCost(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): number {
  return cost(operation.selectionSet, 1, fragmentsOf(document), variables, new Set());
}

export function listCostError(value: number, max: number): GraphQLError {
  return new GraphQLError(
    `Got a query that may return up to ${value} values (lists multiply by their first), expected at most ${max}: ask for fewer items per page or fewer nested lists`,
    { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } },
  );
}

/**
 * Over HTTP only queries run: the schema has no mutations, and subscriptions are served over WebSocket
 * (graphql-transport-ws). graphql 16 has no rule for an operation type the schema lacks, so without this the
 * request would fail inside execution as an internal error.
 */
export function httpOperationTypeRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === "query") return;
      const hint =
        node.operation === "subscription"
          ? "subscriptions are served over WebSocket at /graphql (protocol graphql-transport-ws)"
          : "this API is read-only and has no mutations";
      context.reportError(
        new GraphQLError(`Got a ${node.operation} operation over HTTP, expected a query: ${hint}`, {
          nodes: [node],
        }),
      );
    },
  };
}

/** Postgres text cannot hold U+0000: a string argument containing it is bad input, not a database error. */
export function nulCharacterRule(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node) {
      if (node.value.includes("\u0000")) {
        context.reportError(
          new GraphQLError(
            "Got a string argument containing U+0000 (NUL), expected text without NUL characters",
            {
              nodes: [node],
            },
          ),
        );
      }
    },
  };
}

/** The same check for variables, which validation rules do not see. */
export function findNulCharacter(value: unknown, path = "variables"): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findNulCharacter(v, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const found = findNulCharacter(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}
