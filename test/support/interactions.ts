/**
 * The end user's part of a flow, played with plain HTTP against oidc-provider's development interactions
 * (`devInteractions`): a cookie jar, the HTML forms read with a few regular expressions, form posts, and
 * redirects followed by hand. No browser, so it runs in `pnpm test`.
 *
 *   const page = await completeDeviceFlow(device.verificationUriComplete, { login: 'alice' });
 *   page.title                                   // 'Sign-in Success'
 *   await completeDeviceFlow(uri, { login: 'bob', abortAt: 'consent' })   // the user cancels: access_denied
 *   const { redirect } = await authorize(authorizationUrl, { login: 'alice' })  // code + state in redirect
 *
 * The pages it knows (oidc-provider 9, lib/views and lib/helpers/user_code_form.js): the auto-submitting
 * form_post page, the device user-code input and confirm forms, the login form (`login`, `password`) and the
 * consent form (`prompt=consent`); every layout has a `[ Cancel ]` link to `/interaction/:uid/abort`.
 */

export type AbortPoint = 'device-confirm' | 'login' | 'consent';

export interface InteractionOptions {
  /** The login name: devInteractions sign any name in, as the account whose `sub` is that name. */
  login: string;
  /** devInteractions accept any password. */
  password?: string;
  /** Where the user refuses: `device-confirm` ([ Abort ] on the device page), `login` or `consent` ([ Cancel ]). */
  abortAt?: AbortPoint;
  /** For a device flow begun at `verification_uri`: the code the user types. */
  userCode?: string;
  /** Most requests one interaction makes (default 25): a loop in the provider fails the test, not hangs it. */
  maxSteps?: number;
  /** Cookies shared across calls (sign in with `authorize`, then `endSession` in the same browser session). */
  jar?: CookieJar;
}

export interface InteractionResult {
  /** The last page of the provider, when the flow ended on one (device flows). */
  status: number;
  url: string;
  title: string | undefined;
  body: string;
  /** The redirect that left the provider's origin (authorization code flows). */
  redirect: URL | undefined;
  /** Every request made, `METHOD url`, for failure messages. */
  steps: string[];
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** Cookies for one origin: name and path kept, expiry honoured as deletion, nothing else a test needs. */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(setCookies: readonly string[], requestUrl: URL): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), path: '/' };
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=');
        const name = key.toLowerCase();
        if (name === 'path' && value.startsWith('/')) cookie.path = value;
        if (name === 'max-age' && Number(value) <= 0) expired = true;
        if (name === 'expires' && Date.parse(value) <= Date.now()) expired = true;
      }
      if (cookie.path === '/' && !attributes.some((a) => a.toLowerCase().startsWith('path='))) {
        cookie.path = requestUrl.pathname.replace(/\/[^/]*$/, '') || '/';
      }
      const key = `${cookie.name};${cookie.path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  header(url: URL): string | undefined {
    const matching = [...this.#cookies.values()].filter(
      (c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
    );
    return matching.length === 0 ? undefined : matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

interface Form {
  id: string | undefined;
  action: string;
  method: string;
  /** Every named input with its value (hidden ones and text ones alike). */
  fields: Array<[string, string]>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) => ENTITIES[e] ?? '');
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g))
    out[(m[1] as string).toLowerCase()] = decode(m[2] as string);
  return out;
}

function readForms(html: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((m) => {
    const attrs = attributes(m[1] as string);
    const fields: Array<[string, string]> = [];
    for (const input of (m[2] as string).matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributes(input[1] as string);
      if (a.name) fields.push([a.name, a.value ?? '']);
    }
    return {
      id: attrs.id,
      action: attrs.action ?? '',
      method: (attrs.method ?? 'get').toLowerCase(),
      fields,
    };
  });
}

function cancelLink(html: string): string | undefined {
  const m = /<a\b[^>]*href="([^"]*\/abort)"[^>]*>/i.exec(html);
  return m ? decode(m[1] as string) : undefined;
}

/** A user agent for one provider origin: cookies, manual redirects, every request counted and recorded. */
class UserAgent {
  readonly jar: CookieJar;
  readonly steps: string[] = [];
  readonly #maxSteps: number;

  constructor(maxSteps: number, jar = new CookieJar()) {
    this.jar = jar;
    this.#maxSteps = maxSteps;
  }

  async send(url: URL, form?: Array<[string, string]>): Promise<Response> {
    if (this.steps.length >= this.#maxSteps) {
      throw new Error(
        `interaction did not finish within ${this.#maxSteps} requests:\n${this.steps.join('\n')}`,
      );
    }
    this.steps.push(`${form ? 'POST' : 'GET'} ${url.href}`);
    const headers: Record<string, string> = {};
    const cookie = this.jar.header(url);
    if (cookie) headers.cookie = cookie;
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      redirect: 'manual',
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    this.jar.store(response.headers.getSetCookie(), url);
    return response;
  }
}

/**
 * Plays the user from `start` until the provider either shows a page that asks nothing more (device flows)
 * or redirects away from its origin (authorization code flows).
 */
async function interact(start: string | URL, options: InteractionOptions): Promise<InteractionResult> {
  const agent = new UserAgent(options.maxSteps ?? 25, options.jar);
  const origin = new URL(start).origin;
  let url = new URL(start);
  let response = await agent.send(url);
  let typedCode = false;
  for (;;) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      if (url.origin !== origin) return result(response, url.href, '', url, agent);
      response = await agent.send(url);
      continue;
    }
    const body = await response.text();
    const next = nextStep(body, url, options, typedCode);
    if (next === undefined) return result(response, url.href, body, undefined, agent);
    if (next.typedCode) typedCode = true;
    url = next.url;
    response = await agent.send(url, next.form);
  }
}

function nextStep(
  html: string,
  page: URL,
  options: InteractionOptions,
  typedCode: boolean,
): { url: URL; form?: Array<[string, string]>; typedCode?: boolean } | undefined {
  const forms = readForms(html);
  const cancel = cancelLink(html);
  const post = (form: Form, fields: Array<[string, string]>) => ({
    url: new URL(form.action, page),
    form: fields,
  });
  const login = forms.find((f) => f.fields.some(([n]) => n === 'login'));
  if (login) {
    if (options.abortAt === 'login' && cancel) return { url: new URL(cancel, page) };
    const rest = login.fields.filter(([n]) => n !== 'login' && n !== 'password');
    return post(login, [...rest, ['login', options.login], ['password', options.password ?? 'any']]);
  }
  // RP-initiated logout's confirmation page: "Yes, sign me out" is a `logout=yes` button outside the form.
  const logout = forms.find((f) => f.id === 'op.logoutForm');
  if (logout) return post(logout, [...logout.fields, ['logout', 'yes']]);
  const consent = forms.find((f) => f.fields.some(([n, v]) => n === 'prompt' && v === 'consent'));
  if (consent) {
    if (options.abortAt === 'consent' && cancel) return { url: new URL(cancel, page) };
    return post(consent, consent.fields);
  }
  const confirm = forms.find((f) => f.id === 'op.deviceConfirmForm');
  if (confirm) {
    const abort: Array<[string, string]> = options.abortAt === 'device-confirm' ? [['abort', 'yes']] : [];
    return post(confirm, [...confirm.fields, ...abort]);
  }
  const input = forms.find((f) => f.id === 'op.deviceInputForm');
  if (input) {
    // The input page is also where oidc-provider reports a refused or aborted code: type it once only.
    if (options.userCode === undefined || typedCode) return undefined;
    const rest = input.fields.filter(([n]) => n !== 'user_code');
    return { ...post(input, [...rest, ['user_code', options.userCode]]), typedCode: true };
  }
  // The form_post page submits itself in a browser; here, the one form with only hidden fields is sent.
  const autoSubmit = forms.length === 1 && forms[0]?.method === 'post' ? forms[0] : undefined;
  if (autoSubmit && /document\.forms\[0\]\.submit\(\)/.test(html)) return post(autoSubmit, autoSubmit.fields);
  return undefined;
}

function result(
  response: Response,
  url: string,
  body: string,
  redirect: URL | undefined,
  agent: UserAgent,
): InteractionResult {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  return { status: response.status, url, title, body, redirect, steps: agent.steps };
}

/**
 * The user's side of RFC 8628 on oidc-provider: opens `verificationUri` (the `verification_uri_complete`, or
 * the bare `verification_uri` with `options.userCode`), confirms the device, signs in and consents (or
 * refuses where `abortAt` says). Returns the provider's last page: `title` is `Sign-in Success` on approval.
 */
export function completeDeviceFlow(
  verificationUri: string | URL,
  options: InteractionOptions,
): Promise<InteractionResult> {
  return interact(verificationUri, options);
}

/**
 * The user's side of an authorization request: opens `authorizationUrl`, signs in and consents, and returns
 * the redirect to the client (`redirect.searchParams` holds `code` and `state`, or `error`). Throws when the
 * provider ends on a page of its own instead (an error page names what was wrong).
 */
export async function authorize(
  authorizationUrl: string | URL,
  options: InteractionOptions,
): Promise<InteractionResult & { redirect: URL }> {
  const outcome = await interact(authorizationUrl, options);
  if (outcome.redirect === undefined) {
    throw new Error(
      `authorization ended on a provider page (HTTP ${outcome.status}, ${outcome.title ?? 'untitled'}), not a redirect:\n${outcome.steps.join('\n')}`,
    );
  }
  return { ...outcome, redirect: outcome.redirect };
}

/**
 * The user's side of RP-initiated logout: opens the end-session URL with the cookies of `options.jar` (the
 * session `authorize` signed in), confirms "Yes, sign me out", and returns the redirect to the
 * `post_logout_redirect_uri`, or the provider's last page when none was given.
 */
export function endSession(
  endSessionUrl: string | URL,
  options: Omit<InteractionOptions, 'login'> & { jar: CookieJar },
): Promise<InteractionResult> {
  return interact(endSessionUrl, { ...options, login: '' });
}
