/**
 * One provider and one HTTP client per `describe`: started in `before`, closed in `after`, nothing done when
 * the provider is skipped. `ready` hands both to the suite's variables.
 *
 *   let gw: TestGlewlwyd;
 *   let http: HttpClient;
 *   useProvider(startGlewlwyd, (p, h) => { gw = p; http = h; }, providerSkip('glewlwyd'));
 */
import { after, before } from 'node:test';
import { createHttpClient, type HttpClient } from '@identity-model/core';

export function useProvider<T extends { close(): Promise<void> }>(
  start: () => Promise<T>,
  ready: (provider: T, http: HttpClient) => void,
  skip: string | false = false,
): void {
  let provider: T | undefined;
  let http: HttpClient | undefined;
  before(async () => {
    if (skip) return;
    http = createHttpClient({ retryCount: 0 });
    provider = await start();
    ready(provider, http);
  });
  after(async () => {
    await http?.close();
    await provider?.close();
  });
}
