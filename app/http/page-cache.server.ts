/**
 * A short-lived in-memory cache of what anonymous visitors are answered (decision 040).
 *
 * The finder and the home page are the same for every visitor without a session, and under
 * load most of a request's CPU went into rendering them again. The production server
 * (server.js) asks this cache first for a GET without a cookie or credentials; an answer is
 * kept for `ttlMs` only if it is shareable: 200, text, no Set-Cookie, no
 * private/no-store/no-cache, no Vary other than Accept-Encoding. Every write (a request with any other method) empties
 * the cache, and an answer rendered while a write happened is not kept, so a visitor never
 * sees a page older than the last write through this process; writes from elsewhere (another
 * process, housekeeping) show within `ttlMs`.
 *
 * A page's Content-Security-Policy nonce must not be shared: each hit gets a fresh nonce,
 * written into the header and the body in place of the one it was rendered with.
 */
import crypto from "node:crypto";

export type CachedAnswer = { status: number; headers: [string, string][]; body: string };

type Entry = CachedAnswer & {
  nonce: string | null;
  /** The body cut at each occurrence of the nonce (once, when kept). */
  parts: string[];
  expires: number;
  size: number;
};

export type PageCacheOptions = {
  /** How long an answer is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Bound on the bodies held (UTF-16 code units × 2), oldest evicted first. */
  maxBytes?: number;
  /** Larger answers are sent, not kept. */
  maxEntryBytes?: number;
  now?: () => number;
};

/** `PAGE_CACHE_SECONDS` (default 2, 0 = off): a clear error for anything else. */
export function pageCacheSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 2;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 60) {
    throw new Error(
      `PAGE_CACHE_SECONDS must be a number of seconds from 0 (off) to 60, not "${value}".`,
    );
  }
  return seconds;
}

const NONCE = /'nonce-([A-Za-z0-9+/=]+)'/;
const UNSHAREABLE = /\b(private|no-store|no-cache)\b/i;
/** Kept as text: pages, single-fetch data (text/x-script), JSON. Never bytes. */
const TEXT = /^(text\/|application\/(json|javascript)\b)/i;
const WRITE_METHODS_EXCLUDED = new Set(["GET", "HEAD", "OPTIONS"]);

export class PageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private writes = 0;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly now: () => number;

  constructor(options: PageCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.maxEntryBytes = options.maxEntryBytes ?? 512 * 1024;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The key of a request whose answer may be shared, or null (ask the app). */
  keyOf(method: string, url: string, header: (name: string) => string | undefined): string | null {
    if (this.ttlMs <= 0 || method !== "GET") return null;
    if (header("cookie") || header("authorization")) return null;
    return url;
  }

  /** A request that may change data: call when it starts and again when it ends. */
  isWrite(method: string): boolean {
    return !WRITE_METHODS_EXCLUDED.has(method);
  }

  /** Forget everything: a write is happening or has just happened. */
  invalidate(): void {
    this.writes++;
    this.entries.clear();
    this.bytes = 0;
  }

  /** A mark to pass to `store`: an answer rendered across a write is not kept. */
  mark(): number {
    return this.writes;
  }

  /** A kept answer for the key with a fresh nonce, or null. */
  lookup(key: string): CachedAnswer | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expires <= this.now()) {
      this.remove(key, entry);
      return null;
    }
    if (!entry.nonce) return entry;
    const old = entry.nonce;
    const nonce = crypto.randomBytes(16).toString("base64");
    return {
      status: entry.status,
      headers: entry.headers.map(([name, value]) => [name, value.split(old).join(nonce)]),
      body: entry.parts.join(nonce),
    };
  }

  /**
   * Read the app's answer. Returns it as text when it was a shareable one (kept unless a
   * write happened since `mark`), or null when the caller must send the response as it is.
   */
  async store(key: string, response: Response, mark: number): Promise<CachedAnswer | null> {
    if (!shareable(response)) return null;
    const body = await response.text();
    const headers = [...response.headers].filter(([name]) => name !== "content-length");
    const answer: CachedAnswer = { status: response.status, headers, body };
    const size = body.length * 2;
    if (mark !== this.writes || size > this.maxEntryBytes) return answer;
    const nonce = NONCE.exec(response.headers.get("content-security-policy") ?? "")?.[1] ?? null;
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    const parts = nonce ? body.split(nonce) : [body];
    this.entries.set(key, { ...answer, nonce, parts, expires: this.now() + this.ttlMs, size });
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest, entry);
    }
    return answer;
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.size;
  }
}

function shareable(response: Response): boolean {
  if (response.status !== 200 || !response.body) return false;
  const headers = response.headers;
  if (headers.has("set-cookie")) return false;
  if (!TEXT.test(headers.get("content-type") ?? "")) return false;
  if (UNSHAREABLE.test(headers.get("cache-control") ?? "")) return false;
  const vary = headers.get("vary");
  if (vary && vary.split(",").some((v) => v.trim().toLowerCase() !== "accept-encoding")) {
    return false;
  }
  return true;
}
