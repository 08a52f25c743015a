/** A place as the finder shows it: a city, or a postcode named after its town. */
export type Place = { name: string; country: string; lat: number; lng: number; population: number };

/** Lower case, no accents, single spaces: "São Paulo" and "sao paulo" compare equal. */
export const normalisePlace = (text: string) =>
  text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/**
 * The country of a browser locale ("fr-FR" → "FR", "fr" → "FR", "en" → "US": the likely
 * region of a bare language), or undefined.
 */
export function regionOfLocale(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    const region = new Intl.Locale(locale).maximize().region;
    return region && /^[A-Z]{2}$/.test(region) ? region : undefined;
  } catch {
    return undefined;
  }
}

/** "France" for "FR"; the code itself when the runtime does not know it. */
export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** The countries whose postcodes the place table knows (decisions 011, 049, 056, 074). */
export const POSTCODE_COUNTRIES = ["US", "CA", "FR", "IT", "AU", "IN"] as const;
export const POSTCODE_COUNTRIES_LABEL = "the US, Canada, France, Italy, Australia and India";
export const knowsPostcodesOf = (country: string) =>
  (POSTCODE_COUNTRIES as readonly string[]).includes(country);

/**
 * The countries whose postcodes are placed by their postal region's main city, approximately
 * (`app/geo/postal-regions.ts`, decision 074); the label only, so the table stays on the server.
 */
export const POSTAL_REGION_COUNTRIES_LABEL =
  "Germany, the UK, Spain, the Netherlands, Belgium, Switzerland, Austria, Brazil and Japan";
