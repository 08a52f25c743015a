import {
  MAX_CONCURRENT_HASHES,
  hashPassword,
  hashingLoad,
  verifyPassword,
} from "~/auth/password.server";

test("a burst of logins queues: at most two scrypt computations hold memory at once", async () => {
  const stored = await hashPassword("a long passphrase");
  const burst = Array.from({ length: 8 }, (_, i) =>
    verifyPassword(i % 2 ? "a long passphrase" : "no", stored),
  );
  expect(hashingLoad()).toEqual({
    running: MAX_CONCURRENT_HASHES,
    waiting: 8 - MAX_CONCURRENT_HASHES,
  });
  expect(await Promise.all(burst)).toEqual([false, true, false, true, false, true, false, true]);
  expect(hashingLoad()).toEqual({ running: 0, waiting: 0 });
});

test("hashes keep their parameters: an old N = 2^17, p = 1 hash still verifies", async () => {
  // Made with the previous default (scrypt$17$8$1$…) for "correct horse battery".
  const crypto = await import("node:crypto");
  const salt = Buffer.from("0123456789abcdef");
  const key = crypto.scryptSync("correct horse battery", salt, 32, {
    N: 2 ** 17,
    r: 8,
    p: 1,
    maxmem: 2 ** 28,
  });
  const stored = `scrypt$17$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
  expect(await verifyPassword("correct horse battery", stored)).toBe(true);
  expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
});
