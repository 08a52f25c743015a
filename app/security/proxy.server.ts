/**
 * Which reverse proxies are trusted, and what that means for a request: the client's address
 * (read from the right of X-Forwarded-For, never the client's own leftmost value), whether it
 * arrived over TLS, and whether X-Forwarded-Host may be believed. See docs/decisions/029.
 * Pure functions of the setting and the request's values, so the Node server (before Remix)
 * and the route pipeline decide the same way.
 */
import net from "node:net";

export type ProxyTrust =
  | { kind: "none" }
  /** This many proxies stand in front of the app, each appending its peer to X-Forwarded-For. */
  | { kind: "hops"; hops: number }
  /** The peers (addresses or CIDR ranges) that are proxies; anyone else is a client. */
  | { kind: "addresses"; list: net.BlockList; entries: string[] };

/** "::ffff:192.0.2.1" (IPv4 on a dual-stack socket) → "192.0.2.1"; brackets and ports dropped. */
export function normaliseAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  let address = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.replace(/:\d+$/, "");
  if (/^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(address)) address = address.slice(7);
  return net.isIP(address) ? address.toLowerCase() : null;
}

const family = (address: string) => (net.isIPv6(address) ? "ipv6" : "ipv4");

/**
 * Parse TRUST_PROXY: `false` (or empty), a hop count (`1`), or a comma list of proxy
 * addresses and CIDR ranges (`10.0.0.5, 172.16.0.0/12, ::1`). Throws a message that says
 * what is wrong; `true` is refused because it cannot say how far to the right to read.
 */
export function parseProxyTrust(raw: string | undefined): ProxyTrust {
  const value = (raw ?? "").trim();
  if (value === "" || value === "false" || value === "0") return { kind: "none" };
  if (value === "true") {
    throw new Error(
      "`true` cannot say which X-Forwarded-For entry to believe: give the number of proxies in front of the app (e.g. 1) or their addresses",
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new Error("a hop count above 10 is not a plausible proxy chain");
    return { kind: "hops", hops };
  }
  const list = new net.BlockList();
  const entries = value.split(",").map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split("/");
    const normal = normaliseAddress(address);
    if (!normal || rest.length > 0) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    if (prefix === undefined) {
      list.addAddress(normal, family(normal));
      continue;
    }
    const bits = Number(prefix);
    const max = family(normal) === "ipv6" ? 128 : 32;
    if (!/^\d+$/.test(prefix) || bits > max) throw new Error(`"${entry}" has a bad prefix length`);
    list.addSubnet(normal, bits, family(normal));
  }
  return { kind: "addresses", list, entries };
}

function isTrustedPeer(trust: ProxyTrust, peer: string | null): boolean {
  switch (trust.kind) {
    case "none":
      return false;
    case "hops":
      return trust.hops > 0;
    case "addresses":
      return peer !== null && trust.list.check(peer, family(peer));
  }
}

const forwardedList = (header: string | null | undefined) =>
  (header ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

/**
 * The client's address. The chain is X-Forwarded-For's entries followed by the socket's
 * peer; each trusted proxy appended the address it saw, so the answer is read from the
 * right: skip `hops` entries, or skip entries while they are trusted proxies. Whatever the
 * client wrote itself is on the left and is reached only when every proxy says so.
 */
export function clientAddress(
  trust: ProxyTrust,
  peer: string | null | undefined,
  forwardedFor: string | null | undefined,
): string | null {
  const socket = normaliseAddress(peer);
  if (!isTrustedPeer(trust, socket)) return socket;
  const chain = [...forwardedList(forwardedFor), socket ?? ""];
  if (trust.kind === "hops") {
    // Fewer entries than proxies: the leftmost is the furthest any proxy saw.
    const entry = chain[Math.max(0, chain.length - 1 - trust.hops)]!;
    return normaliseAddress(entry) ?? socket;
  }
  for (let i = chain.length - 2; i >= 0; i--) {
    const address = normaliseAddress(chain[i]);
    // A trusted proxy writes only addresses: garbage here means the chain cannot be read,
    // and the last proxy's address is the conservative answer (no limit is escaped by it).
    if (!address) return normaliseAddress(chain[i + 1]) ?? socket;
    if (i === 0 || !isTrustedPeer(trust, address)) return address;
  }
  return socket;
}

/** X-Forwarded-Host and -Proto are believed only from a trusted proxy. */
export const trustsForwardedHeaders = (trust: ProxyTrust, peer: string | null | undefined) =>
  isTrustedPeer(trust, normaliseAddress(peer));

/**
 * Whether the request reached us over TLS: on the socket itself, or at a trusted proxy that
 * says so in X-Forwarded-Proto (its first entry: the outermost proxy's view).
 */
export function arrivedOverTls(
  trust: ProxyTrust,
  request: { encrypted: boolean; peer: string | null | undefined; forwardedProto?: string | null },
): boolean {
  if (request.encrypted) return true;
  if (!trustsForwardedHeaders(trust, request.peer)) return false;
  const [first] = forwardedList(request.forwardedProto);
  return first?.toLowerCase() === "https";
}

/** Sent only on responses to requests that arrived over TLS (browsers ignore it over http). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";
