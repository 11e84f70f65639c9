/**
 * Freezes a parsed JSON value all the way down, so what is handed out (claims shared by every request that
 * presents the same token, metadata) cannot be changed behind our back. Returns the value. On the token
 * path: no array of members per object, and no call for a member that is not an object.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) freezeObject(value);
  return value;
}

function freezeObject(value: object): void {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null) deepFreeze(item);
    return;
  }
  // JSON.parse gives plain objects: `for…in` sees own members only (Object.prototype has no enumerable ones).
  for (const key in value) {
    const member = (value as Record<string, unknown>)[key];
    if (typeof member === 'object' && member !== null && !Object.isFrozen(member)) freezeObject(member);
  }
}
