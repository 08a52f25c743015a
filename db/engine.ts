/**
 * Which database engine this process runs on, fixed at start-up by `DATABASE_URL`
 * (docs/decisions/058): `postgres://…` or `postgresql://…` is PostgreSQL + PostGIS; anything
 * else (a path, a `file:` URL, nothing) is the embedded SQLite default.
 */
export type Engine = "sqlite" | "postgres";

/** `postgres://` and `postgresql://` URLs name a Postgres server; anything else is SQLite. */
export const isPostgresUrl = (url: string | undefined): url is string =>
  url !== undefined && /^postgres(ql)?:\/\//i.test(url);

export const ENGINE: Engine = isPostgresUrl(process.env.DATABASE_URL) ? "postgres" : "sqlite";
