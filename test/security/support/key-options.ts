/**
 * Where the apps and validators of the security suite get the provider's keys: discovery from the issuer,
 * as users configure it; or a key-set URL that also publishes extra keys (a weak key left in by mistake).
 */
import type { TokenValidatorOptions } from '@identity-model/core';
import type { TestIdp } from '../../support/idp.js';
import { json, type LocalServer, startLocalServer } from './local-server.js';

export type KeyOptions = Pick<TokenValidatorOptions, 'jwksUri' | 'keySource'>;

/** Discovery from the issuer (the default key source): no option at all. */
export function providerKeys(_idp: TestIdp): KeyOptions {
  return {};
}

/** A key-set server publishing the provider's current keys plus `extra`. */
export async function startKeySetWith(idp: TestIdp, extra: Record<string, unknown>[]): Promise<LocalServer> {
  return startLocalServer((_req, res) => json(res, 200, { keys: [...idp.publicJwks().keys, ...extra] }));
}

export function keySetOptions(server: LocalServer): KeyOptions {
  return { jwksUri: `${server.origin}/jwks` };
}
