/**
 * E-mail behind a small interface. `MAIL_TRANSPORT=smtp` sends through the SMTP server at
 * `SMTP_URL` (nodemailer); the development transport writes to the console, so no outside
 * service is needed to run or test the app; `none` drops every message.
 */
import nodemailer from "nodemailer";
import { getEnv } from "~/env.server";

export type Mail = { to: string; subject: string; text: string };

export interface MailTransport {
  send(mail: Mail): Promise<void>;
}

export const consoleTransport: MailTransport = {
  async send(mail) {
    console.info(`[mail] to=${mail.to} subject=${JSON.stringify(mail.subject)}\n${mail.text}`);
  },
};

/**
 * An SMTP server: `smtp://` upgrades with STARTTLS when the server offers it (and must, with
 * `?requireTLS=true`), `smtps://` is TLS from the start. One pooled connection per process.
 */
export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}

const nowhere: MailTransport = { async send() {} };

let override: MailTransport | undefined;
let configured: MailTransport | undefined;

/** Tests swap in a recording transport; `undefined` restores the configured one. */
export function setMailTransport(transport: MailTransport | undefined) {
  override = transport;
}

function configuredTransport(): MailTransport {
  const env = getEnv();
  switch (env.MAIL_TRANSPORT) {
    case "smtp":
      // The environment schema requires SMTP_URL with smtp.
      return smtpTransport(env.SMTP_URL!, env.MAIL_FROM);
    case "console":
      return consoleTransport;
    case "none":
      return nowhere;
  }
}

function transportFor(): MailTransport {
  return override ?? (configured ??= configuredTransport());
}

/** Send without failing the caller: a mail outage must not undo a consultation step. */
export async function sendMail(mail: Mail): Promise<void> {
  try {
    await transportFor().send(mail);
  } catch (error) {
    console.error(`[mail] sending to ${mail.to} failed:`, error);
  }
}
