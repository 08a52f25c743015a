/**
 * E-mail behind a small interface. The development transport writes to the console, so no
 * outside service is needed to run or test the app; a real one (SMTP, an API) implements
 * `MailTransport` and is chosen in `transportFor`.
 */
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

const nowhere: MailTransport = { async send() {} };

let override: MailTransport | undefined;

/** Tests swap in a recording transport; `undefined` restores the configured one. */
export function setMailTransport(transport: MailTransport | undefined) {
  override = transport;
}

function transportFor(): MailTransport {
  if (override) return override;
  return getEnv().MAIL_TRANSPORT === "console" ? consoleTransport : nowhere;
}

/** Send without failing the caller: a mail outage must not undo a consultation step. */
export async function sendMail(mail: Mail): Promise<void> {
  try {
    await transportFor().send(mail);
  } catch (error) {
    console.error(`[mail] sending to ${mail.to} failed:`, error);
  }
}
