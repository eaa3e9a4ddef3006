// The Electron IPC transport's logic, free of Electron: the channel names and one call as the window makes it,
// refused unless it comes from the console window and names an operation. main/electron wires it to ipcMain.
import type { CallResult, Router } from '../../api';

export const IPC_CALL = 'ops:call';
export const IPC_EVENT = 'ops:event';
/** The window says which cycles it shows in detail (see WindowFeed): sent, not invoked; nothing answers. */
export const IPC_FOCUS = 'ops:focus';

/** Answers one `ops:call` from the renderer; `trusted` says whether the sender is the console window. */
export function answerIpcCall(
  router: Router,
  trusted: boolean,
  op: unknown,
  input: unknown,
): Promise<CallResult> {
  if (!trusted) {
    return Promise.resolve({
      ok: false,
      error: {
        code: 'UNAUTHORIZED',
        message: 'Refused: unknown sender.',
        hint: 'Only the console window may call.',
      },
    });
  }
  if (typeof op !== 'string') {
    return Promise.resolve({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'Operation name must be a string.',
        hint: 'Use window.ops.call(name, input).',
      },
    });
  }
  return router.call(op, input);
}
