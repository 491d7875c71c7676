/** Node's arguments for the indexer (flags, then the script, relative to the repository root). */
export declare function indexerNodeArgs(): string[];
