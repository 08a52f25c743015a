/**
 * How hard a new password is to guess: zxcvbn-ts with its common-password, keyboard-pattern
 * and English dictionaries, and the person's own e-mail parts and name as words an attacker
 * would try first. Accounts that see patient data (doctors, admins) need a stronger one.
 */
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";
import type { Role } from "./vocabulary";

/** zxcvbn's score, 0 (guessed at once) to 4 (very hard). */
export const MIN_SCORE: Record<Role, number> = { patient: 2, doctor: 3, admin: 3, researcher: 3 };

let factory: ZxcvbnFactory | undefined;
// Building the dictionaries takes ~0.1 s: once per process, on the first check.
const estimator = () =>
  (factory ??= new ZxcvbnFactory({
    translations: english.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary },
  }));

/** The e-mail split into its words (`maria.schmidt2024@clinic.example` → maria, schmidt…). */
export function personalWords(email: string, name: string): string[] {
  const parts = [email, ...email.split(/[@._+-]+/), name, ...name.split(/\s+/)];
  return [...new Set(parts.map((p) => p.trim().toLowerCase()).filter((p) => p.length >= 3))];
}

/**
 * Why this password is too weak for this role, or null when it is strong enough. The message
 * says what makes it guessable (zxcvbn's warning) and what would help.
 */
export function passwordWeakness(
  password: string,
  role: Role,
  person: { email: string; name: string },
): string | null {
  const result = estimator().check(password, personalWords(person.email, person.name));
  // zxcvbn still scores "mariaschmidt2024" a 3 for Maria Schmidt; someone who knows her
  // address tries it first, so a password that is mostly her own words is refused too.
  const ownWordsLength = result.sequence
    .filter((match) => match.pattern === "dictionary" && match.dictionaryName === "userInputs")
    .reduce((sum, match) => sum + match.token.length, 0);
  const usesOwnWords = ownWordsLength >= password.length / 2;
  if (result.score >= MIN_SCORE[role] && !usesOwnWords) return null;
  const why = result.feedback.warning
    ? result.feedback.warning.replace(/\.$/, "")
    : "It would be guessed too quickly";
  const parts = [
    `This password is too easy to guess: ${usesOwnWords ? "it contains your name or e-mail address" : why.charAt(0).toLowerCase() + why.slice(1)}.`,
    role === "patient"
      ? "Add a few more uncommon words, or use a passphrase."
      : "Accounts that see patient data need a strong password: use four or more uncommon words.",
  ];
  return parts.join(" ");
}
