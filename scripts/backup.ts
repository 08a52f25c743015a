// npm run backup -- <folder>
// A consistent copy of the database (DATABASE_URL) and the image store (DATA_DIR/images),
// taken while the app runs, with a manifest of counts and checksums (docs/decisions/035).
import { databasePath } from "#db/client";
import { BackupError, createBackup, refuseServerStores } from "~/backup/backup.server";
import { imageStoreRoot } from "~/uploads/storage.server";

const target = process.argv[2];
if (!target) {
  console.error("Usage: npm run backup -- <folder>   (a new or empty folder)");
  process.exit(2);
}
try {
  refuseServerStores("backs up");
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
try {
  const started = Date.now();
  const manifest = createBackup({
    databaseFile: databasePath(),
    imagesRoot: imageStoreRoot(process.env.DATA_DIR ?? "data"),
    target,
  });
  const { counts, images } = manifest;
  console.log(
    `Backed up ${databasePath()} to ${target} in ${Date.now() - started} ms: ${counts.users} users, ` +
      `${counts.analyses} analyses, ${counts.consultations} consultations, ${counts.consultation_messages} messages, ` +
      `${images.files} image files (${(images.bytes / 1e6).toFixed(1)} MB)` +
      (manifest.leftOut ? `; ${manifest.leftOut} analyses deleted during the backup left out` : ""),
  );
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(error.message);
  process.exit(1);
}
