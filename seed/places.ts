// Build the offline place table (cities and postcodes from the packages) when it is missing.
// Run by `npm run db:setup`; the server runs it in a child process if the file is absent.
import fs from "node:fs";
import { buildPlaceTable, placeTablePath } from "~/geo/place-table.server";

const file = placeTablePath();
if (fs.existsSync(file)) {
  console.log(`Place table ${file} is up to date.`);
} else {
  const { cities, postcodes, ms } = buildPlaceTable(file);
  console.log(
    `Built the place table ${file}: ${cities} cities, ${postcodes} postcodes in ${Math.round(ms)} ms.`,
  );
}
