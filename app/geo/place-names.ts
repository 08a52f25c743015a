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
