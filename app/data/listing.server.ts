/** What the admin lists share: a case-insensitive "contains" search and page arithmetic. */
import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * `column` contains `text`, ignoring case; `%`, `_` and the escape itself are literal in what
 * the admin types. Null columns never match.
 */
export function containsText(column: SQL | SQLiteColumn, text: string): SQL {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`;
  return sql`lower(coalesce(${column}, '')) like ${pattern} escape '\\'`;
}

/** The page to show (clamped to those that exist), how many there are, and its offset. */
export function pageWindow(total: number, requested: number, size: number) {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, requested), pages);
  return { page, pages, offset: (page - 1) * size };
}
