import { IncomingMessage } from 'node:http';
import type { BearerAuthenticator, ValidatedToken } from '@identity-model/core';
import type { Request } from 'express';

/** Which `requireToken` saw a request, so guards answer in its realm and can authenticate lazily. */
export interface Context {
  authenticator: BearerAuthenticator;
  forwardErrors: boolean;
}

interface Slot {
  context: Context | undefined;
  auth: ValidatedToken | undefined;
}

const slots = new WeakMap<Request, Slot>();

/**
 * Express gives every request its app's prototype (`Object.setPrototypeOf(req, app.request)`), after which
 * V8 builds a new hidden class for each property added to it: `req.auth = …` and one more property measured
 * ~25,000 instructions each per request, as much as the whole token check on a cache hit. So `auth` is an
 * accessor on the app's request prototype, over a WeakMap slot: reading and writing `req.auth` works as
 * before, and nothing is added to the request. Plain Node requests (no Express prototype) get an own
 * property, as always.
 */
const authAccessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: Request): ValidatedToken | undefined {
    return slots.get(this)?.auth;
  },
  set(this: Request, auth: ValidatedToken | undefined) {
    const slot = slots.get(this);
    if (slot) slot.auth = auth;
    else slots.set(this, { context: undefined, auth });
  },
};

const prepared = new WeakSet<object>();

/** Gives the request's Express prototype the `auth` accessor, once per app. */
function prepare(req: Request): void {
  const proto = Object.getPrototypeOf(req) as object;
  if (prepared.has(proto) || proto === IncomingMessage.prototype) return;
  // Someone else's `auth` on the prototype is left alone: ours then lands in an own property, as before.
  if (!Object.hasOwn(proto, 'auth')) Object.defineProperty(proto, 'auth', authAccessor);
  prepared.add(proto);
}

/** Records which `requireToken` saw the request (before `req.auth` is set). */
export function recordContext(req: Request, context: Context): void {
  prepare(req);
  const slot = slots.get(req);
  if (slot) slot.context = context;
  else slots.set(req, { context, auth: undefined });
}

export function contextOf(req: Request): Context | undefined {
  return slots.get(req)?.context;
}
