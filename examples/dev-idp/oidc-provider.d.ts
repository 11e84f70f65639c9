// oidc-provider ships no types: the little of it that the dev identity provider and the test fixture use.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type ProviderError = new (...args: never[]) => Error;

  class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: never[]) => void): this;
    static readonly errors: { InvalidTarget: ProviderError; [name: string]: ProviderError | undefined };
  }
  export const errors: { InvalidTarget: ProviderError; [name: string]: ProviderError | undefined };
  export default Provider;
}
