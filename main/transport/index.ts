export { startBrowserServer, tokensMatch, type BrowserServer, type BrowserServerOptions } from './ws-server';
export * from './protocol';
