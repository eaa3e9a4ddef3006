// The api folder's public face: the contract, its errors, the router and the input-issue reader.
export * from './contract';
export * from './errors';
export * from './router';
export * from './validation-issues';
