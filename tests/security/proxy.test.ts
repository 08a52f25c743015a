import { parseEnv } from "~/env.server";
import {
  arrivedOverTls,
  clientAddress,
  normaliseAddress,
  parseProxyTrust,
  trustsForwardedHeaders,
} from "~/security/proxy.server";

describe("TRUST_PROXY", () => {
  test("false, a hop count, or a list of addresses and ranges", () => {
    expect(parseProxyTrust("false")).toEqual({ kind: "none" });
    expect(parseProxyTrust(undefined)).toEqual({ kind: "none" });
    expect(parseProxyTrust("2")).toEqual({ kind: "hops", hops: 2 });
    const list = parseProxyTrust("10.0.0.5, 172.16.0.0/12, ::1");
    expect(list.kind).toBe("addresses");
  });

  test.each(["true", "10.0.0.300", "proxy.internal", "10.0.0.0/33", "99"])(
    "%s stops start-up with a message naming the variable",
    (value) => {
      expect(() => parseEnv({ NODE_ENV: "test", TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );

  test("`true` is refused with what to write instead", () => {
    expect(() => parseEnv({ NODE_ENV: "test", TRUST_PROXY: "true" })).toThrow(
      /number of proxies .* or their addresses/,
    );
  });
});

describe("the client's address behind proxies", () => {
  const oneProxy = parseProxyTrust("1");
  const twoProxies = parseProxyTrust("2");
  const listed = parseProxyTrust("10.0.0.5,10.1.0.0/16");

  test("without trusted proxies the socket's peer is the client, whatever the header says", () => {
    const none = parseProxyTrust("false");
    expect(clientAddress(none, "198.51.100.7", "6.6.6.6")).toBe("198.51.100.7");
  });

  test("a hop count reads that many entries from the right, never the client's own value", () => {
    // The client wrote 6.6.6.6; the one proxy appended the address it really saw.
    expect(clientAddress(oneProxy, "10.0.0.5", "6.6.6.6, 198.51.100.7")).toBe("198.51.100.7");
    expect(clientAddress(oneProxy, "10.0.0.5", "198.51.100.7")).toBe("198.51.100.7");
    expect(clientAddress(twoProxies, "10.0.0.5", "6.6.6.6, 198.51.100.7, 10.1.2.3")).toBe(
      "198.51.100.7",
    );
  });

  test("rotating a forged X-Forwarded-For does not change the address a limit counts", () => {
    const seen = new Set(
      ["1.1.1.1", "2.2.2.2, 3.3.3.3", "garbage", ""].map((forged) =>
        clientAddress(oneProxy, "10.0.0.5", forged ? `${forged}, 198.51.100.7` : "198.51.100.7"),
      ),
    );
    expect([...seen]).toEqual(["198.51.100.7"]);
  });

  test("a list skips trusted proxies from the right and stops at the first other address", () => {
    expect(clientAddress(listed, "10.0.0.5", "6.6.6.6, 198.51.100.7, 10.1.4.4")).toBe(
      "198.51.100.7",
    );
    // A peer that is not a listed proxy is the client: its header is ignored.
    expect(clientAddress(listed, "203.0.113.9", "198.51.100.7")).toBe("203.0.113.9");
    // Every entry a proxy: the leftmost is the furthest address seen.
    expect(clientAddress(listed, "10.0.0.5", "10.1.0.9")).toBe("10.1.0.9");
    // No header at all: the proxy itself made the request.
    expect(clientAddress(listed, "10.0.0.5", null)).toBe("10.0.0.5");
  });

  test("IPv4 on a dual-stack socket, ports and brackets are normalised", () => {
    expect(normaliseAddress("::ffff:10.0.0.5")).toBe("10.0.0.5");
    expect(normaliseAddress("198.51.100.7:4711")).toBe("198.51.100.7");
    expect(normaliseAddress("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(normaliseAddress("not-an-ip")).toBeNull();
    expect(clientAddress(listed, "::ffff:10.0.0.5", "2001:db8::1")).toBe("2001:db8::1");
  });

  test("X-Forwarded-Host and -Proto are believed only from a trusted peer", () => {
    expect(trustsForwardedHeaders(listed, "10.0.0.5")).toBe(true);
    expect(trustsForwardedHeaders(listed, "198.51.100.7")).toBe(false);
    expect(trustsForwardedHeaders(parseProxyTrust("false"), "10.0.0.5")).toBe(false);
  });
});

describe("TLS, for HSTS", () => {
  const listed = parseProxyTrust("10.0.0.5");

  test("a TLS socket, or a trusted proxy's X-Forwarded-Proto: https", () => {
    expect(arrivedOverTls(listed, { encrypted: true, peer: "198.51.100.7" })).toBe(true);
    expect(
      arrivedOverTls(listed, { encrypted: false, peer: "10.0.0.5", forwardedProto: "https" }),
    ).toBe(true);
    expect(
      arrivedOverTls(listed, { encrypted: false, peer: "10.0.0.5", forwardedProto: "http" }),
    ).toBe(false);
  });

  test("a client that writes X-Forwarded-Proto itself gets nothing from it", () => {
    expect(
      arrivedOverTls(listed, { encrypted: false, peer: "198.51.100.7", forwardedProto: "https" }),
    ).toBe(false);
  });
});
