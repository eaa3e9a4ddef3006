// Which transport a call came in by, for the audit trail: a CLI talking to a running console is recorded as
// `cli`, not as the console's own mode. AsyncLocalStorage carries it through the router to the write observer.
import { AsyncLocalStorage } from 'node:async_hooks';

const caller = new AsyncLocalStorage<{ via: string }>();

export function runAsCaller<T>(via: string, work: () => T): T {
  return caller.run({ via }, work);
}

/** The transport of the call in progress, when it is not the console's own. */
export function callerVia(): string | undefined {
  return caller.getStore()?.via;
}
