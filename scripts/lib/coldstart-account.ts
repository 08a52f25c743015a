// A patient account and a session for `npm run bench:coldstart`, in a process of its own: the
// app's modules fix the database engine from DATABASE_URL when they are first imported, which
// the benchmark's process did before it knew the URL. Prints the session cookie.
import { createAccount } from "~/auth/accounts.server";
import { createUserSession } from "~/auth/session.server";
import { closeDb } from "#db/client";

const patient = await createAccount({
  name: "Cold Start",
  email: `coldstart-${Date.now()}@example.test`,
  password: "correct horse battery",
  role: "patient",
});
console.log((await createUserSession(patient.id)).split(";")[0]);
await closeDb();
