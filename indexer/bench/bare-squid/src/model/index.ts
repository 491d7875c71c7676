export * from "./raw-log.ts";
