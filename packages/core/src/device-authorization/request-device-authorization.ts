import type { HttpClient } from '../http/types.js';
import type { DeviceAuthorizationRequest } from './device-authorization-request.js';
import { DeviceAuthorizationResponse } from './device-authorization-response.js';

/**
 * Asks for a device code and a user code (RFC 8628 §3.1). Never throws for an outcome: an OAuth error, a
 * network failure or an unusable answer is an unsuccessful response. Resent only when the request cannot
 * have reached the server: each request creates a pending authorization at the provider.
 */
export async function requestDeviceAuthorization(
  request: DeviceAuthorizationRequest,
  httpClient?: HttpClient,
): Promise<DeviceAuthorizationResponse> {
  try {
    const response = await request.post(
      httpClient,
      [['scope', request.scope], ...request.resource.map((r) => ['resource', r] as const)],
      { retry: 'unsent', accept: 'application/json' },
    );
    return DeviceAuthorizationResponse.fromHttpResponse(response);
  } catch (err) {
    return DeviceAuthorizationResponse.fromError(err);
  }
}
