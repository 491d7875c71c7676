/** A small JSON-RPC client with batching: the simulator sends thousands of calls per block, one HTTP request each batch. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method} failed (${code}): ${message}`);
  }
}

export interface RpcRequest {
  method: string;
  params: unknown[];
}

export class JsonRpc {
  private nextId = 1;

  constructor(readonly url: string) {}

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const [result] = await this.batch<T>([{ method, params }]);
    return result as T;
  }

  /** Sends the requests as one JSON-RPC batch; throws the first error, naming its method and position. */
  async batch<T = unknown>(requests: RpcRequest[]): Promise<T[]> {
    if (requests.length === 0) return [];
    const first = this.nextId;
    this.nextId += requests.length;
    const body = requests.map((r, i) => ({
      jsonrpc: "2.0",
      id: first + i,
      method: r.method,
      params: r.params,
    }));
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(
        `JSON-RPC endpoint ${this.url} unreachable (${requests[0].method}): ${(err as Error).message}`,
      );
    }
    if (!res.ok)
      throw new Error(`JSON-RPC endpoint ${this.url} answered HTTP ${res.status} to ${requests[0].method}`);
    const replies = (await res.json()) as {
      id: number;
      result?: T;
      error?: { code: number; message: string; data?: unknown };
    }[];
    const out = new Array<T>(requests.length);
    for (const reply of replies) {
      const i = reply.id - first;
      if (reply.error) {
        throw new RpcError(
          `${requests[i].method} #${i}`,
          reply.error.code,
          reply.error.message,
          reply.error.data,
        );
      }
      out[i] = reply.result as T;
    }
    return out;
  }
}
