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

/** How many minor units a currency has (EUR 2, JPY 0), from Intl. */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** "€80", "¥5,000", "Free"; written in English like the rest of the app. */
export function formatFee(fee: Fee): string {
  if (fee.kind === "free") return "Free";
  const digits = minorDigits(fee.currency);
  return new Intl.NumberFormat("en", {
    style: "currency",
    currency: fee.currency,
    minimumFractionDigits: fee.amountMinor % 10 ** digits === 0 ? 0 : digits,
  }).format(fee.amountMinor / 10 ** digits);
}
