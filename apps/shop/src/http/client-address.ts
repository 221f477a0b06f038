import { isIPv6 } from 'node:net';

/**
 * The key per-IP limits use for a client address (`request.ip`, which honours X-Forwarded-For
 * only as `TRUST_PROXY` allows). An IPv6 client usually owns a whole /64 — one subscriber gets
 * 2^64 addresses — so IPv6 is keyed by its /64 prefix, or an attacker would rotate addresses to
 * reset the limit; an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
