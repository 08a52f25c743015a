import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { requestPasswordReset } from "~/auth/password-reset.server";
import { parseEnv } from "~/env.server";
import { setMailTransport, smtpTransport } from "~/notifications/mail.server";
import { fromAddress, makeUser } from "../helpers";

/** A real SMTP server on a free local port that keeps what it receives. */
async function startSmtpServer() {
  const received: { from: string; to: string[]; mail: ParsedMail }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            mail,
          });
          done();
        })
        .catch(done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    received,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("the SMTP transport", () => {
  test("a password-reset e-mail reaches a real SMTP server with its link", async () => {
    const smtp = await startSmtpServer();
    try {
      setMailTransport(smtpTransport(smtp.url, "HemaLink <no-reply@hemalink.test>"));
      const user = await makeUser("patient");
      await fromAddress("203.0.113.40", () => requestPasswordReset(user.email));
      for (let i = 0; i < 250 && smtp.received.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(smtp.received).toHaveLength(1);
      const [{ from, to, mail }] = smtp.received as [(typeof smtp.received)[0]];
      expect(from).toBe("no-reply@hemalink.test");
      expect(to).toEqual([user.email]);
      expect(mail.subject).toBe("HemaLink: choose a new password");
      expect(mail.text).toMatch(/http:\/\/localhost:3000\/reset-password\?token=[\w-]{43}/);
    } finally {
      setMailTransport(undefined);
      await smtp.stop();
    }
  });

  test("a refused delivery is reported to the caller of the transport", async () => {
    const transport = smtpTransport("smtp://127.0.0.1:1?ignoreTLS=true", "a@b.test");
    await expect(
      transport.send({ to: "x@example.test", subject: "s", text: "t" }),
    ).rejects.toThrow();
  });

  test("MAIL_TRANSPORT=smtp without SMTP_URL stops the server at start-up", () => {
    expect(() =>
      parseEnv({ NODE_ENV: "test", SESSION_SECRET: "x".repeat(32), MAIL_TRANSPORT: "smtp" }),
    ).toThrow(/SMTP_URL: MAIL_TRANSPORT=smtp needs SMTP_URL/);
    expect(() =>
      parseEnv({
        NODE_ENV: "test",
        SESSION_SECRET: "x".repeat(32),
        MAIL_TRANSPORT: "smtp",
        SMTP_URL: "http://x",
      }),
    ).toThrow(/SMTP_URL must be an smtp/);
    expect(
      parseEnv({
        NODE_ENV: "test",
        SESSION_SECRET: "x".repeat(32),
        MAIL_TRANSPORT: "smtp",
        SMTP_URL: "smtps://user:pw@mail.example:465",
      }).SMTP_URL,
    ).toBe("smtps://user:pw@mail.example:465");
  });
});
