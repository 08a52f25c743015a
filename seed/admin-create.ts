// npm run admin:create -- <email> [--name "Display Name"]
// The password is read from ADMIN_PASSWORD, from standard input when piped, or asked for.
import readline from "node:readline/promises";
import { parseArgs } from "node:util";
import { AccountError, createAccount } from "~/auth/accounts.server";
import { passwordWeakness } from "~/auth/password-strength.server";
import { EmailSchema, PasswordSchema } from "~/auth/validation";

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  if (!process.stdin.isTTY) {
    for await (const line of rl) return line;
    return "";
  }
  const answer = await rl.question("Password for the new admin: ");
  rl.close();
  return answer;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: "string", default: "Administrator" } },
});
const email = EmailSchema.safeParse(positionals[0] ?? "");
if (!email.success) {
  console.error("Usage: npm run admin:create -- <email> [--name NAME]");
  process.exit(2);
}
const password = PasswordSchema.safeParse(await readPassword());
if (!password.success) {
  console.error(`Password refused: ${password.error.issues.map((i) => i.message).join("; ")}`);
  process.exit(2);
}
const weakness = passwordWeakness(password.data, "admin", {
  email: email.data,
  name: values.name ?? "Administrator",
});
if (weakness) {
  console.error(`Password refused: ${weakness}`);
  process.exit(2);
}
try {
  await createAccount({
    email: email.data,
    password: password.data,
    name: values.name ?? "Administrator",
    role: "admin",
  });
  console.log(`Admin ${email.data} created.`);
} catch (error) {
  if (error instanceof AccountError) {
    console.error(`An account with the email ${email.data} already exists.`);
    process.exit(1);
  }
  throw error;
}
