// npm run restore -- <folder> [--force]
// Restore a backup made by `npm run backup` into DATABASE_URL and DATA_DIR/images, after
// checking every file against the manifest. Stop the app first. Refuses to replace existing
// data unless --force is given (docs/decisions/035).
import { parseArgs } from "node:util";
import { databasePath } from "#db/client";
import { BackupError, refuseServerStores, restoreBackup } from "~/backup/backup.server";
import { imageStoreRoot } from "~/uploads/storage.server";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { force: { type: "boolean", default: false } },
});
const source = positionals[0];
if (!source) {
  console.error("Usage: npm run restore -- <backup folder> [--force]");
  process.exit(2);
}
try {
  refuseServerStores("restores");
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
try {
  const started = Date.now();
  const manifest = restoreBackup({
    source,
    databaseFile: databasePath(),
    imagesRoot: imageStoreRoot(process.env.DATA_DIR ?? "data"),
    force: values.force,
  });
  const { counts, images } = manifest;
  console.log(
    `Restored the backup of ${manifest.createdAt} to ${databasePath()} in ${Date.now() - started} ms: ` +
      `${counts.users} users, ${counts.analyses} analyses, ${counts.consultations} consultations, ` +
      `${images.files} image files, all checksums verified.`,
  );
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(error.message);
  process.exit(1);
}
