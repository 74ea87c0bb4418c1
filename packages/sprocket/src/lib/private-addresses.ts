import { lookup as dnsLookup } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

// Addresses a URL input or a webhook must never reach unless the operator allows it (SSRF): private ranges,
// loopback, link-local (cloud metadata lives at 169.254.169.254), CGNAT, unspecified, multicast.
const PRIVATE = new BlockList();
for (const [net, prefix] of [["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], ["127.0.0.0", 8], ["169.254.0.0", 16], ["100.64.0.0", 10], ["0.0.0.0", 8], ["224.0.0.0", 4], ["240.0.0.0", 4], ["198.18.0.0", 15]] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv4");
}
// IPv6 forms that embed an IPv4 address (NAT64, IPv4-compatible, 6to4) are refused outright.
for (const [net, prefix] of [["::1", 128], ["::", 96], ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8], ["64:ff9b::", 96], ["2002::", 16]] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && /^::ffff:/i.test(address)) {
    const v4 = address.slice(7);
    if (isIP(v4) === 4) return PRIVATE.check(v4, "ipv4");
  }
  return PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * Resolves like dns.lookup, refusing private addresses (unless allowed). Handles `all: true`,
 * which Node's connection code asks for (happy eyeballs): every address must be public.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return (callback as (e: Error) => void)(error);
      const list = addresses as unknown as { address: string; family: number }[];
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (refused) {
        const message = `refused: ${hostname} resolves to a private address (${refused.address}); set SPROCKET_ALLOW_PRIVATE_URLS=true to allow`;
        return (callback as (e: Error) => void)(new Error(message));
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}


/**
 * The URL's host when it is written as a private address (an IP literal in a private range, or
 * `localhost`), else null: what can be refused before any DNS lookup, e.g. when a request is made.
 */
export function privateLiteralHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (/^localhost\.?$/i.test(host) || /\.localhost\.?$/i.test(host)) return host;
  return isIP(host) && isPrivateAddress(host) ? host : null;
}
