import crypto from "node:crypto";
import { promisify } from "node:util";
import { getEnv } from "~/env.server";

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

const KEY_LENGTH = 32;
// OWASP password storage cheat sheet: scrypt N=2^17, r=8, p=1 (see docs/decisions/002).
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function params(logN: number) {
  const N = 2 ** logN;
  return { N, r: BLOCK_SIZE, p: PARALLELISM, maxmem: 128 * N * BLOCK_SIZE * 2 };
}

/** Format: scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>, so parameters can rise later. */
export async function hashPassword(password: string): Promise<string> {
  const logN = getEnv().SCRYPT_LOG_N;
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, params(logN));
  return [
    "scrypt",
    logN,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString("base64url"),
    hash.toString("base64url"),
  ].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const options = { ...params(Number(logN)), r: Number(r), p: Number(p) };
  const actual = await scrypt(
    password.normalize("NFKC"),
    Buffer.from(salt, "base64url"),
    expected.length,
    options,
  );
  return crypto.timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spend the same time as a real check when the account does not exist, so response
 * timing does not reveal which emails are registered.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummyHash);
  return false;
}
