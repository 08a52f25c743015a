import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseProxyTrust } from "~/security/proxy.server";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.string().min(1).default("data/hemalink.db"),
    DATA_DIR: z.string().min(1).default("data"),
    SESSION_SECRET: z.string().min(32, "SESSION_SECRET must be at least 32 characters").optional(),
    SESSION_IDLE_MINUTES: positiveInt(30),
    SESSION_MAX_HOURS: positiveInt(12),
    /** log2 of scrypt's N (p follows OWASP's table: 16 → p = 2); tests lower it for speed. */
    SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(16),
    RATE_LIMIT_WINDOW_SECONDS: positiveInt(15 * 60),
    /** Failed logins per address per window (successes never count; docs/decisions/030). */
    RATE_LIMIT_LOGIN_FAILURES_PER_IP: positiveInt(100),
    /** Failed logins on one account before its back-off starts (15 s, doubling, capped). */
    LOGIN_FAILURES_BEFORE_BACKOFF: positiveInt(5),
    LOGIN_BACKOFF_MAX_SECONDS: positiveInt(15 * 60),
    RATE_LIMIT_REGISTER_PER_IP: positiveInt(10),
    /** Password-reset requests per address per window (each account also gets at most 3 e-mails). */
    RATE_LIMIT_PASSWORD_RESET_PER_IP: positiveInt(10),
    RATE_LIMIT_UPLOADS_PER_ACCOUNT: positiveInt(30),
    /**
     * Uploads decoded and classified at once by one instance, how many more may wait for a
     * slot, and for how long; beyond that an upload gets 503 (docs/decisions/077).
     */
    UPLOAD_CONCURRENCY: positiveInt(2),
    UPLOAD_QUEUE_LENGTH: z.coerce.number().int().min(0).max(1000).default(7),
    UPLOAD_QUEUE_WAIT_SECONDS: positiveInt(20),
    /** Predictions in the model lab per account per window (each may load a model). */
    RATE_LIMIT_LAB_PREDICTIONS_PER_ACCOUNT: positiveInt(60),
    /** Map tiles (any XYZ tile server); the map still works offline without them. */
    MAP_TILE_URL: z
      .string()
      .regex(
        /^https?:\/\/[^\s]+\{z\}[^\s]*$/,
        "MAP_TILE_URL must be an http(s) XYZ template with {z}/{x}/{y}",
      )
      .default("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    MAP_TILE_ATTRIBUTION: z.string().default("© OpenStreetMap contributors"),
    /** Answered consultations close by themselves after this many days. */
    CONSULTATION_AUTO_CLOSE_DAYS: positiveInt(14),
    /** Where e-mail goes: an SMTP server (`SMTP_URL`), the console (development) or nowhere. */
    MAIL_TRANSPORT: z.enum(["smtp", "console", "none"]).default("console"),
    /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS). */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, "SMTP_URL must be an smtp:// or smtps:// URL")
      .optional(),
    /** The sender of every e-mail. */
    MAIL_FROM: z.string().min(3).default("HemaLink <no-reply@hemalink.invalid>"),
    /** Seconds between the production server's housekeeping runs; 0 leaves it to a scheduler. */
    HOUSEKEEPING_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
    /** The model lab: largest dataset archive upload, and its largest unpacked size. */
    LAB_MAX_UPLOAD_MB: positiveInt(2048),
    LAB_MAX_UNZIPPED_MB: positiveInt(8192),
    /** The public address of the app, for links in e-mails. */
    APP_URL: z.string().url().default("http://localhost:3000"),
    /**
     * Reverse proxies in front of the app: `false`, how many (`1`), or their addresses and CIDR
     * ranges (`10.0.0.5,172.16.0.0/12`). Decides which X-Forwarded-For entry is the client.
     */
    TRUST_PROXY: z
      .string()
      .default("false")
      .transform((value, ctx) => {
        try {
          return parseProxyTrust(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /** Where uploaded images live: `file` (under DATA_DIR/images) or `s3` (docs/decisions/051). */
    IMAGE_STORE: z.enum(["file", "s3"]).default("file"),
    S3_BUCKET: z.string().min(3).optional(),
    S3_REGION: z.string().min(1).default("us-east-1"),
    /** An S3-compatible server (MinIO, R2, Ceph…); AWS's own endpoint when absent. */
    S3_ENDPOINT: z.string().url("S3_ENDPOINT must be a URL (https://…)").optional(),
    /** Without both keys the AWS SDK's default chain applies (an instance or Lambda role). */
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** `true` for servers that want `endpoint/bucket/key` rather than `bucket.endpoint/key`. */
    S3_FORCE_PATH_STYLE: z
      .enum(["true", "false"], "S3_FORCE_PATH_STYLE must be true or false")
      .default("false")
      .transform((value) => value === "true"),
  })
  .refine((env) => env.IMAGE_STORE !== "s3" || env.S3_BUCKET, {
    message: "IMAGE_STORE=s3 needs S3_BUCKET",
    path: ["S3_BUCKET"],
  })
  .refine((env) => !env.S3_ACCESS_KEY_ID === !env.S3_SECRET_ACCESS_KEY, {
    message:
      "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (the SDK's default credentials)",
    path: ["S3_SECRET_ACCESS_KEY"],
  })
  .refine((env) => env.MAIL_TRANSPORT !== "smtp" || env.SMTP_URL, {
    message: "MAIL_TRANSPORT=smtp needs SMTP_URL (smtp://user:password@host:port)",
    path: ["SMTP_URL"],
  });

export type Env = z.infer<typeof envSchema> & { SESSION_SECRET: string };

function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  }
  const env = result.data;
  if (env.SESSION_SECRET) return { ...env, SESSION_SECRET: env.SESSION_SECRET };
  if (env.NODE_ENV === "production") {
    throw new Error("SESSION_SECRET is required in production (32+ random characters).");
  }
  return { ...env, SESSION_SECRET: developmentSecret(env.DATA_DIR) };
}

let cached: Env | undefined;

/** Validated once per process; a bad environment stops the server at start-up. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The map tile settings a page hands to the browser, and the origin the CSP must allow. */
export function mapTiles() {
  const { MAP_TILE_URL, MAP_TILE_ATTRIBUTION } = getEnv();
  const origin = new URL(MAP_TILE_URL.replace(/\{[a-z]\}/g, "a")).origin;
  return { url: MAP_TILE_URL, attribution: MAP_TILE_ATTRIBUTION, origin };
}
