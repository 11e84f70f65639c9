/**
 * A strict `WWW-Authenticate` parser (RFC 9110 §11.6.1, the grammar of RFC 7235 §4.1), for tests: every
 * challenge we emit goes through it, so a quoting mistake, a missing comma or a repeated parameter fails the
 * test instead of reaching a client. It throws on anything the grammar does not produce (it does not
 * tolerate the empty list elements recipients must accept: we never send them).
 *
 *   WWW-Authenticate = challenge *( OWS "," OWS challenge )
 *   challenge        = auth-scheme [ 1*SP ( token68 / auth-param *( OWS "," OWS auth-param ) ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *   token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 */

export interface ParsedChallenge {
  /** As sent (schemes are case-insensitive; compare lower-cased). */
  scheme: string;
  /** Parameter names lower-cased; quoted values unescaped. */
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]/;
// qdtext: HTAB / SP / %x21 / %x23-5B / %x5D-7E (obs-text refused: we never send it).
const QDTEXT = /[\t \x21\x23-\x5B\x5D-\x7E]/;
const QUOTED_PAIR = /[\t \x21-\x7E]/;

class Cursor {
  i = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.i >= this.text.length;
  }
  peek(offset = 0): string {
    return this.text[this.i + offset] ?? '';
  }
  fail(why: string): never {
    throw new SyntaxError(`WWW-Authenticate: ${why} at ${this.i} in ${JSON.stringify(this.text)}`);
  }
  /** OWS / BWS: optional spaces and tabs. */
  ows(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }
  token(what: string): string {
    const start = this.i;
    while (TCHAR.test(this.peek())) this.i++;
    if (this.i === start) this.fail(`expected a ${what} token`);
    return this.text.slice(start, this.i);
  }
  quoted(): string {
    if (this.peek() !== '"') this.fail('expected a quoted-string');
    this.i++;
    let value = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unterminated quoted-string');
      if (c === '"') {
        this.i++;
        return value;
      }
      if (c === '\\') {
        const next = this.peek(1);
        if (!QUOTED_PAIR.test(next)) this.fail('bad quoted-pair');
        value += next;
        this.i += 2;
        continue;
      }
      if (!QDTEXT.test(c)) this.fail(`character ${JSON.stringify(c)} not allowed in a quoted-string`);
      value += c;
      this.i++;
    }
  }
}

/** Whether an auth-param (`token BWS "="` then a value, not another "=") starts here. */
function paramAhead(c: Cursor): boolean {
  let j = c.i;
  while (TCHAR.test(c.text[j] ?? '')) j++;
  if (j === c.i) return false;
  while (c.text[j] === ' ' || c.text[j] === '\t') j++;
  if (c.text[j] !== '=') return false;
  j++;
  while (c.text[j] === ' ' || c.text[j] === '\t') j++;
  const next = c.text[j] ?? '';
  return next === '"' || TCHAR.test(next);
}

function parseParam(c: Cursor, params: Record<string, string>): void {
  const name = c.token('parameter name').toLowerCase();
  c.ows();
  if (c.peek() !== '=') c.fail(`expected "=" after ${name}`);
  c.i++;
  c.ows();
  const value = c.peek() === '"' ? c.quoted() : c.token(`${name} value`);
  // RFC 9110 §11.2: each parameter name MUST only occur once per challenge.
  if (Object.hasOwn(params, name)) c.fail(`parameter ${name} repeated`);
  params[name] = value;
}

/** Parses a whole header value into its challenges, or throws `SyntaxError` saying where it is wrong. */
export function parseChallengesStrict(header: string): ParsedChallenge[] {
  const c = new Cursor(header);
  if (header.trim() !== header) c.fail('leading or trailing whitespace');
  const challenges: ParsedChallenge[] = [];
  while (!c.done) {
    const scheme = c.token('auth-scheme');
    const challenge: ParsedChallenge = { scheme, params: {} };
    challenges.push(challenge);
    if (c.done) break;
    if (c.peek() === ',') {
      c.i++;
      c.ows();
      if (c.done) c.fail('trailing comma');
      continue;
    }
    if (c.peek() !== ' ') c.fail('expected a space after the auth-scheme');
    while (c.peek() === ' ') c.i++;
    if (paramAhead(c)) {
      for (;;) {
        parseParam(c, challenge.params);
        c.ows();
        if (c.done) break;
        if (c.peek() !== ',') c.fail('expected "," between parameters (missing comma?)');
        c.i++;
        c.ows();
        if (c.done) c.fail('trailing comma');
        // After a comma: another parameter of this challenge, or the next challenge's scheme.
        if (!paramAhead(c)) break;
      }
    } else {
      const start = c.i;
      while (TOKEN68.test(c.peek())) c.i++;
      if (c.i === start) c.fail('expected a token68 or an auth-param');
      while (c.peek() === '=') c.i++;
      challenge.token68 = header.slice(start, c.i);
      c.ows();
      if (c.done) break;
      if (c.peek() !== ',') c.fail('a token68 cannot be followed by anything but "," and another challenge');
      c.i++;
      c.ows();
      if (c.done) c.fail('trailing comma');
      // A token68 takes the whole challenge: what follows must be a new scheme, never a parameter.
      if (paramAhead(c)) c.fail('a token68 mixed with auth-params');
    }
  }
  if (challenges.length === 0) c.fail('no challenge');
  return challenges;
}

/** The one challenge of `scheme` (case-insensitive) in `header`; throws when absent or repeated. */
export function challengeOf(header: string | null, scheme: string): ParsedChallenge {
  if (header === null) throw new Error('no WWW-Authenticate header');
  const found = parseChallengesStrict(header).filter(
    (ch) => ch.scheme.toLowerCase() === scheme.toLowerCase(),
  );
  if (found.length !== 1) throw new Error(`expected one ${scheme} challenge in ${JSON.stringify(header)}`);
  return found[0] as ParsedChallenge;
}
