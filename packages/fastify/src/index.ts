export { oidcAuth } from './plugin.js';
export type { OidcAuthHook, OidcAuthInstance, OidcAuthOptions, OidcAuthPluginOptions } from './types.js';
