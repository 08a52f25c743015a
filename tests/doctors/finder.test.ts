import { findDoctors, parseFinderQuery } from "~/doctors/finder.server";
import { makeCertifiedDoctor } from "../helpers";

const query = (params: Record<string, string>) => parseFinderQuery(new URLSearchParams(params));

describe("the finder never ends in an empty page", () => {
  test("nobody within the widest radius: the nearest doctors anywhere, then remote ones", async () => {
    const paris = await makeCertifiedDoctor({
      lat: 48.85,
      lng: 2.35,
      offersTeleconsultation: false,
    });
    const tokyo = await makeCertifiedDoctor({
      lat: 35.68,
      lng: 139.69,
      offersTeleconsultation: true,
    });
    // Reykjavík: Paris is ~2,200 km away, Tokyo ~8,800 km.
    const result = findDoctors(query({ lat: "64.15", lng: "-21.94", radius: "25" }));
    expect(result.doctors).toEqual([]);
    expect(result.radiusKm).toBe(250);
    expect(result.fallback!.nearest.map((d) => d.id)).toEqual([paris.profile.id]);
    expect(result.fallback!.remote.map((d) => d.id)).toEqual([tokyo.profile.id]);
  });

  test("someone within the radius: no fallback", async () => {
    const near = await makeCertifiedDoctor({ lat: 45.76, lng: 4.84 });
    const result = findDoctors(query({ lat: "45.75", lng: "4.85", radius: "10" }));
    expect(result.doctors.map((d) => d.id)).toContain(near.profile.id);
    expect(result.fallback).toBeNull();
  });
});
