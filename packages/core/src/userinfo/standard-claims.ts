/** OIDC Core §5.1.1: the `address` claim, members typed. */
export interface AddressClaim {
  readonly formatted?: string;
  readonly streetAddress?: string;
  readonly locality?: string;
  readonly region?: string;
  readonly postalCode?: string;
  readonly country?: string;
}

/** The OIDC Core §5.1 standard claims besides `sub`, as typed properties (camelCase of the claim names). */
export interface StandardClaims {
  readonly name: string | undefined;
  readonly givenName: string | undefined;
  readonly familyName: string | undefined;
  readonly middleName: string | undefined;
  readonly nickname: string | undefined;
  readonly preferredUsername: string | undefined;
  readonly profile: string | undefined;
  readonly picture: string | undefined;
  readonly website: string | undefined;
  readonly email: string | undefined;
  readonly emailVerified: boolean | undefined;
  readonly gender: string | undefined;
  /** `YYYY`, `YYYY-MM-DD` or `0000-MM-DD`. */
  readonly birthdate: string | undefined;
  readonly zoneinfo: string | undefined;
  readonly locale: string | undefined;
  readonly phoneNumber: string | undefined;
  readonly phoneNumberVerified: boolean | undefined;
  readonly address: AddressClaim | undefined;
  /** Seconds since the epoch. */
  readonly updatedAt: number | undefined;
}

type StringClaim = Exclude<
  keyof StandardClaims,
  'emailVerified' | 'phoneNumberVerified' | 'address' | 'updatedAt'
>;

const STRING_CLAIMS: Readonly<Record<StringClaim, string>> = {
  name: 'name',
  givenName: 'given_name',
  familyName: 'family_name',
  middleName: 'middle_name',
  nickname: 'nickname',
  preferredUsername: 'preferred_username',
  profile: 'profile',
  picture: 'picture',
  website: 'website',
  email: 'email',
  gender: 'gender',
  birthdate: 'birthdate',
  zoneinfo: 'zoneinfo',
  locale: 'locale',
  phoneNumber: 'phone_number',
};
const ADDRESS_MEMBERS: Readonly<Record<keyof AddressClaim, string>> = {
  formatted: 'formatted',
  streetAddress: 'street_address',
  locality: 'locality',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
};

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * The standard claims of `claims` whose JSON type is the specified one. A claim of another type (a number
 * `email`, an `email_verified` of `"true"`) is not typed here: it stays in `claims` as sent, so nothing reads
 * as verified that the provider did not send as the boolean `true`.
 */
export function readStandardClaims(claims: Readonly<Record<string, unknown>>): StandardClaims {
  const strings = {} as Record<StringClaim, string | undefined>;
  for (const [property, claim] of Object.entries(STRING_CLAIMS) as [StringClaim, string][]) {
    const value = claims[claim];
    strings[property] = typeof value === 'string' ? value : undefined;
  }
  let address: AddressClaim | undefined;
  const rawAddress = claims.address;
  if (typeof rawAddress === 'object' && rawAddress !== null && !Array.isArray(rawAddress)) {
    const typed: Record<string, string> = {};
    for (const [property, member] of Object.entries(ADDRESS_MEMBERS)) {
      const value = (rawAddress as Record<string, unknown>)[member];
      if (typeof value === 'string') typed[property] = value;
    }
    address = Object.freeze(typed);
  }
  const updatedAt = claims.updated_at;
  return {
    ...strings,
    emailVerified: bool(claims.email_verified),
    phoneNumberVerified: bool(claims.phone_number_verified),
    address,
    updatedAt:
      typeof updatedAt === 'number' && Number.isSafeInteger(updatedAt) && updatedAt >= 0
        ? updatedAt
        : undefined,
  };
}
