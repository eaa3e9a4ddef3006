// What the console and its worker process say to each other over IPC: the config handed over at start (so secrets
// never sit in a file or argv), the supervisor's requests and the worker's reports.
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

/** From the supervisor to the worker process. */
export type SupervisorMessage = { type: 'config'; config: WorkerConfig } | { type: 'drain' };

/** From the worker process to its supervisor. */
export type WorkerMessage =
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'ready' }
  | {
      type: 'status';
      status: {
        state: string;
        polling: boolean;
        activitySlots: { used: number; available: number };
        workflowSlots: { used: number; available: number };
      };
    };
