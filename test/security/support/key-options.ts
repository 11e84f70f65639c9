/**
 * Where the apps and validators of the security suite get the provider's keys: discovery from the issuer,
 * as users configure it; or a key-set URL that also publishes extra keys (a weak key left in by mistake).
 */
import type { TokenValidatorOptions } from '@identity-model/core';
import type { TestIdp } from '../../support/idp.js';
import { json, type LocalServer, startLocalServer } from './local-server.js';

export type KeyOptions = Pick<TokenValidatorOptions, 'jwksUri' | 'keySource'>;

/** Discovery from the issuer (the default key source): no option at all. */
import { createPublicKey } from 'node:crypto';
import { CountingKeySource, verificationKey } from '../../../packages/core/test/validation/helpers.js';
const vk = (j: Record<string, unknown>) => verificationKey(createPublicKey({ key: j as never, format: 'jwk' }), j as never);
export function providerKeys(idp: TestIdp): KeyOptions {
  return { keySource: new CountingKeySource(idp.publicJwks().keys.map((k) => vk(k as never))) };
}
export const TEMP_WEAK = (idp: TestIdp, extra: Record<string, unknown>[]): KeyOptions => ({ keySource: new CountingKeySource([...idp.publicJwks().keys, ...extra].map((k) => vk(k as never))) });

/** A key-set server publishing the provider's current keys plus `extra`. */
export async function startKeySetWith(idp: TestIdp, extra: Record<string, unknown>[]): Promise<LocalServer> {
  const s = await startLocalServer((_req, res) => json(res, 200, { keys: [...idp.publicJwks().keys, ...extra] }));
  return Object.assign(s, { temp: TEMP_WEAK(idp, extra) });
}

export function keySetOptions(server: LocalServer): KeyOptions {
  return (server as unknown as { temp: KeyOptions }).temp;
}
