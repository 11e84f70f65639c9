import { AuthenticatedEndpointRequest, type AuthenticatedRequestOptions } from '@identity-model/core';

/** The bare shared base posting to `introspection_endpoint`: where a client-authenticated request goes. */
export class IntrospectionProbe extends AuthenticatedEndpointRequest {
  constructor(options: AuthenticatedRequestOptions) {
    super(options, {
      metadata: 'introspection_endpoint',
      what: 'introspection endpoint',
      ownFields: ['token'],
    });
  }
}
