import { BlockList, isIP } from 'node:net';
import { ConfigurationError } from '../errors.js';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack socket reports) as plain IPv4. */
function unmapped(address: string): string {
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
}

/**
 * The proxies whose forwarding headers are believed, from `trustedProxies`: IPv4 and IPv6 addresses and
 * CIDR ranges (`10.0.0.0/8`, `fd00::/8`); an IPv4-mapped IPv6 address matches its IPv4 form both ways.
 * Built once; `trusts(address)` is a lookup in a `net.BlockList`.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  constructor(entries: readonly string[] | undefined) {
    if (entries !== undefined && !Array.isArray(entries)) {
      throw new ConfigurationError('trustedProxies: an array of IP addresses or CIDR ranges');
    }
    const list = entries ?? [];
    for (const entry of list) this.#add(entry);
    this.#empty = list.length === 0;
  }

  /** Whether a request from `address` (a socket's `remoteAddress`) came through a trusted proxy. */
  trusts(address: string | undefined): boolean {
    if (this.#empty || typeof address !== 'string') return false;
    const plain = unmapped(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.#list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }

  #add(entry: unknown): void {
    const bad = () =>
      new ConfigurationError(
        `trustedProxies: ${JSON.stringify(entry)} is not an IP address or CIDR range (e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8)`,
      );
    if (typeof entry !== 'string') throw bad();
    const slash = entry.indexOf('/');
    const address = unmapped(slash < 0 ? entry : entry.slice(0, slash));
    const family = isIP(address);
    if (family === 0) throw bad();
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (slash < 0) {
      this.#list.addAddress(address, type);
      return;
    }
    const prefixText = entry.slice(slash + 1);
    let prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    // A mapped CIDR (::ffff:10.0.0.0/104) is the IPv4 range of its last 32 bits.
    if (address !== entry.slice(0, slash)) prefix -= 96;
    if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) throw bad();
    this.#list.addSubnet(address, prefix, type);
  }
}
