// The last-resort guard of a long-running console: an error that escaped every handler (a callback that threw,
// a promise nobody awaited) is logged with its stack, and the console keeps serving. Dying would leave the
// stack's services and the worker running with nobody watching them.
export function installLastResortGuard(log: (message: string) => void): () => void {
  const report = (kind: string, err: unknown) => {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try {
      log(`unexpected ${kind}, the console keeps running: ${text}`);
    } catch {
      process.stderr.write(`unexpected ${kind}: ${text}\n`);
    }
  };
  const onException = (err: unknown) => report('error', err);
  const onRejection = (reason: unknown) => report('unhandled rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
