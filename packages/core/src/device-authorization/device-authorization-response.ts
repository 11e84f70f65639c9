import { OidcConstants } from '../constants/oidc-constants.js';
import type { HttpResponse } from '../http/types.js';
import {
  failureFromError,
  kindOf,
  ProtocolResponse,
  type ProtocolResponseInit,
  readErrorAnswer,
  readJsonObject,
  unexpectedAnswer,
} from '../protocol/protocol-response.js';

const F = OidcConstants.DeviceAuthorizationResponse;

/** RFC 8628 §3.2: `interval` defaults to 5 s when the server sends none. */
export const DEFAULT_DEVICE_POLL_INTERVAL_SECONDS = 5;
/** Bounds on the server's `interval`: never poll faster than 1 s, never wait more than 60 s between polls. */
export const MIN_DEVICE_POLL_INTERVAL_SECONDS = 1;
export const MAX_DEVICE_POLL_INTERVAL_SECONDS = 60;
/**
 * The longest device-code lifetime we believe (1 h). RFC 8628 sets no bound; providers use 5–30 min, and a
 * device that polls for longer keeps a user-facing prompt alive past any reasonable attention span.
 */
export const MAX_DEVICE_CODE_LIFETIME_SECONDS = 3600;

const MAX_USER_CODE_LENGTH = 128;
const MAX_DEVICE_CODE_LENGTH = 4096;
const WHAT = 'device authorization endpoint';

interface DeviceFields {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | undefined;
  expiresIn: number;
  interval: number;
}

/**
 * A device authorization answer (RFC 8628 §3.2). On success every REQUIRED member is present and bounded:
 * `expiresIn` in [1, 3600] s, `interval` in [1, 60] s (5 when not sent), the verification URIs absolute
 * http(s) URLs (they are shown to a user). `deviceCode` is a credential: masked when printed.
 */
export class DeviceAuthorizationResponse extends ProtocolResponse {
  readonly deviceCode: string | undefined;
  /** What the user types at `verificationUri`. */
  readonly userCode: string | undefined;
  readonly verificationUri: string | undefined;
  /** `verificationUri` with the user code in it, for a QR code or a link; optional in RFC 8628. */
  readonly verificationUriComplete: string | undefined;
  /** Seconds until the device and user codes expire. */
  readonly expiresIn: number | undefined;
  /** Seconds to wait between token polls. */
  readonly interval: number | undefined;

  /** @internal Built by `requestDeviceAuthorization`. */
  constructor(init: ProtocolResponseInit, fields?: DeviceFields) {
    super(init);
    this.deviceCode = fields?.deviceCode;
    this.userCode = fields?.userCode;
    this.verificationUri = fields?.verificationUri;
    this.verificationUriComplete = fields?.verificationUriComplete;
    this.expiresIn = fields?.expiresIn;
    this.interval = fields?.interval;
  }

  static fromHttpResponse(response: HttpResponse): DeviceAuthorizationResponse {
    const failure = readErrorAnswer(response, WHAT);
    if (failure) return new DeviceAuthorizationResponse(failure);
    const { raw, parseError } = readJsonObject(response);
    if (!raw) {
      return new DeviceAuthorizationResponse(
        unexpectedAnswer(response, `${WHAT} answered without a JSON object`, parseError),
      );
    }
    const fields = readFields(raw);
    if (typeof fields === 'string') {
      return new DeviceAuthorizationResponse({ ...unexpectedAnswer(response, fields), raw });
    }
    return new DeviceAuthorizationResponse(
      { httpStatus: response.status, headers: response.headers, raw },
      fields,
    );
  }

  static fromError(err: unknown): DeviceAuthorizationResponse {
    return new DeviceAuthorizationResponse(failureFromError(err, WHAT));
  }

  protected override secretMembers(): ReadonlySet<string> {
    return SECRET_MEMBERS;
  }

  protected override secretProperties(): ReadonlySet<string> {
    return SECRET_PROPERTIES;
  }
}

const SECRET_MEMBERS: ReadonlySet<string> = new Set([F.DeviceCode]);
const SECRET_PROPERTIES: ReadonlySet<string> = new Set(['deviceCode']);

/** The members, or why the answer is unusable (naming the member and its JSON type, never its value). */
function readFields(raw: Record<string, unknown>): DeviceFields | string {
  const deviceCode = raw[F.DeviceCode];
  if (
    typeof deviceCode !== 'string' ||
    deviceCode.length === 0 ||
    deviceCode.length > MAX_DEVICE_CODE_LENGTH
  ) {
    return `${WHAT} answered without a usable device_code (${describe(deviceCode)})`;
  }
  const userCode = raw[F.UserCode];
  // Shown to the user: printable, short.
  if (
    typeof userCode !== 'string' ||
    !/^[\x21-\x7e\u00a0-\uffff][\x20-\x7e\u00a0-\uffff]*$/.test(userCode) ||
    userCode.length > MAX_USER_CODE_LENGTH
  ) {
    return `${WHAT} answered without a usable user_code (${describe(userCode)})`;
  }
  const verificationUri = webUrl(raw[F.VerificationUri]);
  if (verificationUri === undefined) {
    return `${WHAT} answered without a verification_uri that is an absolute http(s) URL`;
  }
  const complete = raw[F.VerificationUriComplete];
  const verificationUriComplete = complete === undefined ? undefined : webUrl(complete);
  if (complete !== undefined && verificationUriComplete === undefined) {
    return `${WHAT} answered with a verification_uri_complete that is not an absolute http(s) URL`;
  }
  const expiresIn = seconds(raw[F.ExpiresIn]);
  if (expiresIn === undefined || expiresIn <= 0) {
    return `${WHAT} answered without a positive expires_in (${describe(raw[F.ExpiresIn])})`;
  }
  const interval =
    raw[F.Interval] === undefined ? DEFAULT_DEVICE_POLL_INTERVAL_SECONDS : seconds(raw[F.Interval]);
  if (interval === undefined) {
    return `${WHAT} answered with an interval that is not a non-negative number (${describe(raw[F.Interval])})`;
  }
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete,
    expiresIn: Math.min(Math.max(expiresIn, 1), MAX_DEVICE_CODE_LIFETIME_SECONDS),
    interval: clampInterval(interval),
  };
}

/** An interval in seconds, bounded to [1, 60]. */
export function clampInterval(value: number): number {
  return Math.min(Math.max(value, MIN_DEVICE_POLL_INTERVAL_SECONDS), MAX_DEVICE_POLL_INTERVAL_SECONDS);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `a string of ${value.length} characters` : kindOf(value);
}

/** A number of seconds (a JSON number or a numeric string); undefined when negative or not a number. */
function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,10}(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n) || n < 0) return undefined;
  return n;
}

function webUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048 || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? value : undefined;
}
