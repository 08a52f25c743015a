/**
 * Consultation fees as a doctor states them and patients read them, per kind of
 * consultation. Isomorphic (the profile form, the public page, the finder's cards).
 * Amounts are kept in minor units (cents) so no float is ever stored or compared.
 */
export const FEE_KINDS = ["inPerson", "teleconsultation"] as const;
export type FeeKind = (typeof FEE_KINDS)[number];

export const FEE_KIND_LABELS: Record<FeeKind, string> = {
  inPerson: "In person",
  teleconsultation: "Teleconsultation",
};

export type Fee = { kind: "free" } | { kind: "paid"; amountMinor: number; currency: string };

/** ISO 4217 codes the runtime knows (Intl), so a currency is never a hand-kept list. */
export const CURRENCIES: readonly string[] = Intl.supportedValuesOf("currency");

/**
 * Formatters by currency and fraction digits, made once: building an Intl.NumberFormat costs
 * far more than formatting with one (on a phone profile the finder's cards spent more time
 * constructing them than rendering the cards).
 */
const formatters = new Map<string, Intl.NumberFormat>();
function currencyFormat(currency: string, minimumFractionDigits?: number): Intl.NumberFormat {
  const key = `${currency} ${minimumFractionDigits ?? ""}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat("en", { style: "currency", currency, minimumFractionDigits });
    formatters.set(key, format);
  }
  return format;
}

/** How many minor units a currency has (EUR 2, JPY 0), from Intl. */
export function minorDigits(currency: string): number {
  return currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "€80", "¥5,000", "Free"; written in English like the rest of the app. */
export function formatFee(fee: Fee): string {
  if (fee.kind === "free") return "Free";
  const digits = minorDigits(fee.currency);
  return currencyFormat(fee.currency, fee.amountMinor % 10 ** digits === 0 ? 0 : digits).format(
    fee.amountMinor / 10 ** digits,
  );
}
