export { closeDefaultHttpClient, getDefaultHttpClient } from './default-client.js';
export { createHttpClient } from './http-client.js';
export type * from './types.js';
