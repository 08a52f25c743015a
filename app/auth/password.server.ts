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
const BLOCK_SIZE = 8;
/**
 * OWASP's password storage cheat sheet lists these scrypt settings (r = 8) as equivalent:
 * N = 2^17 with p = 1 (128 MiB), 2^16 with p = 2 (64 MiB), 2^15 with p = 3 (32 MiB)…
 * We use 2^16 / p = 2: the same CPU work as 2^17 / p = 1 at half the memory (decision 022).
 */
const OWASP_PARALLELISM: Record<number, number> = { 17: 1, 16: 2, 15: 3, 14: 5, 13: 10 };
const parallelismFor = (logN: number) => OWASP_PARALLELISM[logN] ?? 1;

function params(logN: number, p = parallelismFor(logN)) {
  const N = 2 ** logN;
  return { N, r: BLOCK_SIZE, p, maxmem: 128 * N * BLOCK_SIZE * 2 };
}

/**
 * At most this many hashes at once per process: each holds 128·N·r bytes (64 MiB), so a burst
 * of logins queues instead of multiplying the server's memory. Two matches the two cores here;
 * more would not finish sooner, only hold more memory at the same time.
 */
export const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((go) => waiting.push(go));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** How many hashes are computing now and how many wait (for tests and benchmarks). */
export const hashingLoad = () => ({ running, waiting: waiting.length });

/** Format: scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>, so parameters can rise later. */
export async function hashPassword(password: string): Promise<string> {
  const logN = getEnv().SCRYPT_LOG_N;
  const salt = crypto.randomBytes(16);
  const options = params(logN);
  const hash = await limited(() => scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options));
  return [
    "scrypt",
    logN,
    BLOCK_SIZE,
    options.p,
    salt.toString("base64url"),
    hash.toString("base64url"),
  ].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const options = { ...params(Number(logN), Number(p)), r: Number(r) };
  const actual = await limited(() =>
    scrypt(password.normalize("NFKC"), Buffer.from(salt, "base64url"), expected.length, options),
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
