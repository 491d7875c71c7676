/** Model catalogue of the simulated network: all three modes, non-ASCII names, and hostile names. */
export const MODE = { VANILLA: 0, ZKML: 1, TEE: 2 } as const;
export type ModeName = keyof typeof MODE;

export interface ModelSpec {
  name: string;
  version: string;
  mode: ModeName;
  /** Relative traffic weight. */
  weight: number;
}

export const MODEL_CATALOGUE: ModelSpec[] = [
  { name: "meta-llama/Llama-3.1-8B-Instruct", version: "1.0.0", mode: "TEE", weight: 5 },
  { name: "Qwen/Qwen2.5-7B 通义千问", version: "2.5.1", mode: "TEE", weight: 3 },
  { name: "Ünïcödé-Émbed 🔍 dénsé", version: "0.9", mode: "VANILLA", weight: 3 },
  { name: "og/credit-risk-xgb モデル", version: "3", mode: "ZKML", weight: 2 },
  { name: "<script>alert(1)</script>", version: "<img src=x onerror=alert(2)>", mode: "VANILLA", weight: 1 },
  { name: '=HYPERLINK("http://evil.example","click")', version: "+1", mode: "ZKML", weight: 1 },
  { name: "openai/gpt-oss-20b", version: "2025-08", mode: "TEE", weight: 2 },
  { name: "og/price-volatility-lstm", version: "1.2.0", mode: "ZKML", weight: 1 },
];

export const HOSTILE_MODEL_NAMES = MODEL_CATALOGUE.map((m) => m.name).filter((n) => /^[=+\-@]|</.test(n));
