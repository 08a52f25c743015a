/**
 * The process settings an instance's memory depends on (docs/decisions/041, 079). Both take
 * effect only when the process starts (V8 sizes its young generation, glibc reads the malloc
 * settings), so the server cannot set them itself: `npm run serve` and `npm start` do, and the
 * server says at start-up which ones a deployment that starts Node another way has left out.
 */
export const SEMI_SPACE_FLAG = "--max-semi-space-size=4";
export const MALLOC_ARENA_MAX = "2";

/** What `execArgv` (Node's own flags) and `env` leave out, each as the setting to add. */
export function missingMemorySettings(
  env: Record<string, string | undefined>,
  execArgv: readonly string[],
): string[] {
  const flags = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)];
  const missing: string[] = [];
  if (!flags.some((flag) => /^--max-semi-space-size(=|$)/.test(flag))) {
    missing.push(`node ${SEMI_SPACE_FLAG} (docs/decisions/041)`);
  }
  if (!env.MALLOC_ARENA_MAX?.trim()) {
    missing.push(`MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX} in the environment (docs/decisions/079)`);
  }
  return missing;
}
