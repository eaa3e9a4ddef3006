// What the console hands the worker process at start (over IPC, so secrets never sit in a file or argv).
export interface WorkerConfig {
  temporalAddress: string;
  /** TLS to Temporal (PEM text) for an attached cluster; absent: plain TCP. */
  tls?: { serverName?: string; ca?: string; clientCert?: string; clientKey?: string };
  /** Temporal Cloud API key. */
  apiKey?: string;
  namespace: string;
  taskQueue: string;
  appDbUrl: string;
  maxConcurrentActivities: number;
  /** Postgres lock_timeout for the phases' database work, in ms. */
  dbLockTimeoutMs: number;
  /** OpenAI-compatible endpoint for Planning; empty: the deterministic rule-based generator. */
  llm: { baseUrl: string; model: string; apiKey: string };
  /** Where outbox messages are delivered (HTTP POST); empty: they stay queued in the outbox. */
  mailWebhook: string;
  identity: string;
  /** A workflow bundle the operator rolled out (after its replay check); absent: the one built with the console. */
  workflowBundlePath?: string;
}
