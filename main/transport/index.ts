// The transports side by side, each a thin adapter over the router: ws/ (the browser mode's HTTP and WebSocket
// server) and ipc/ (the desktop window's calls; main/electron wires it to Electron). protocol.ts is the frame
// format the WebSocket and the CLI's control socket share.
export { startBrowserServer, tokensMatch, type BrowserServer, type BrowserServerOptions } from './ws/server';
export { resolveStaticPath } from './ws/static-files';
export { answerIpcCall, IPC_CALL, IPC_EVENT, IPC_FOCUS } from './ipc';
export * from './protocol';
