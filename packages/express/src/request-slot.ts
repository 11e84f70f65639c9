import { IncomingMessage } from 'node:http';
import type { BearerAuthenticator, ValidatedToken } from '@identity-model/core';
import type { Request } from 'express';

/** Which `requireToken` saw a request, so guards answer in its realm and can authenticate lazily. */
export interface Context {
  authenticator: BearerAuthenticator;
  forwardErrors: boolean;
}

/** What `requireToken` keeps of one request. */
export interface Slot {
  context: Context | undefined;
  auth: ValidatedToken | undefined;
  /** Whether `req.auth` reads `auth` here (our accessor is on the request's prototype). */
  readonly viaAccessor: boolean;
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
const authAccessor = {
  configurable: true,
  enumerable: false,
  get(this: Request): ValidatedToken | undefined {
    return slots.get(this)?.auth;
  },
  set(this: Request, auth: ValidatedToken | undefined) {
    const slot = slots.get(this);
    if (slot) slot.auth = auth;
    else slots.set(this, { context: undefined, auth, viaAccessor: true });
  },
} satisfies PropertyDescriptor;

/** Per request prototype: whether its `auth` is our accessor. */
const prepared = new WeakMap<object, boolean>();

/** Gives the request's Express prototype the `auth` accessor, once per app; whether `req.auth` is ours. */
function prepare(req: Request): boolean {
  const proto = Object.getPrototypeOf(req) as object;
  let ours = prepared.get(proto);
  if (ours === undefined) {
    // Someone else's `auth` on the prototype is left alone: ours then lands in an own property, as before.
    // Ours is only ever defined here, and recorded: an `auth` already on the prototype is someone else's.
    ours = proto !== IncomingMessage.prototype && !Object.hasOwn(proto, 'auth');
    if (ours) Object.defineProperty(proto, 'auth', authAccessor);
    prepared.set(proto, ours);
  }
  return ours;
}

/** Records which `requireToken` saw the request (before `req.auth` is set); its slot. */
export function recordContext(req: Request, context: Context): Slot {
  const slot = slots.get(req);
  if (slot) {
    slot.context = context;
    return slot;
  }
  const created: Slot = { context, auth: undefined, viaAccessor: prepare(req) };
  slots.set(req, created);
  return created;
}

/**
 * Sets `req.auth`. Through our accessor that is the slot itself, written here directly: a store to `req.auth`
 * looks the setter up along Express's prototype chain on every request (~2,000 instructions).
 */
export function assignAuth(req: Request, slot: Slot | undefined, auth: ValidatedToken | undefined): void {
  if (slot?.viaAccessor === true) slot.auth = auth;
  else req.auth = auth;
}

export function slotOf(req: Request): Slot | undefined {
  return slots.get(req);
}
