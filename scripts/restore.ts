// npm run restore -- <folder> [--force]
// Restore a backup made by `npm run backup` into DATABASE_URL and DATA_DIR/images, after
// checking every file against the manifest. Stop the app first. Refuses to replace existing
// data unless --force is given (docs/decisions/035).
import { parseArgs } from "node:util";
import { databasePath } from "#db/client";
import { BackupError, refuseOnPostgres, restoreBackup } from "~/backup/backup.server";
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
  refuseOnPostgres();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
if (process.env.IMAGE_STORE === "s3") {
  // The images are in the bucket, not in DATA_DIR/images: a backup without them would look whole.
  console.error(
    "IMAGE_STORE=s3: this command restores the file store only. Keep the bucket's images with S3 " +
      "versioning and replication, the database with its own backups (docs/decisions/051).",
  );
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
