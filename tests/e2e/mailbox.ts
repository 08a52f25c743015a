import fs from "node:fs";
import path from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * A real SMTP server for the browser tests: the app server sends through it
 * (MAIL_TRANSPORT=smtp) and every message lands as a file in `dir`, where the tests read it.
 */
export async function startMailbox(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, done) {
      const file = path.join(dir, `${String(++count).padStart(5, "0")}.eml`);
      // Written aside and renamed: a reader never sees half a message.
      stream
        .pipe(fs.createWriteStream(`${file}.part`))
        .on("finish", () => fs.rename(`${file}.part`, file, done));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The newest message to `to` in the browser tests' mailbox, waiting up to `ms` for it. */
export async function waitForMail(to: string, ms = 10_000): Promise<ParsedMail> {
  const dir = process.env.E2E_MAILBOX!;
  const deadline = Date.now() + ms;
  for (;;) {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".eml"))
      .sort()
      .reverse();
    for (const file of files) {
      const mail = await simpleParser(fs.readFileSync(path.join(dir, file)));
      const recipients = [mail.to].flat().flatMap((a) => a?.value.map((v) => v.address) ?? []);
      if (recipients.includes(to)) return mail;
    }
    if (Date.now() > deadline) throw new Error(`No e-mail to ${to} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
