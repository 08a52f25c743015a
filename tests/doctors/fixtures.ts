import { ProfileSchema } from "~/doctors/validation";

const COMPLETE_PROFILE = {
  title: "Dr",
  licenceNumber: "LIC-1",
  licenceAuthority: "Ordre des médecins",
  boardCertifications: "Hematology board",
  specialties: ["hematology"],
  languages: ["French", "English"],
  clinicName: "Clinique du Parc",
  streetAddress: "1 rue du Parc",
  city: "Lyon",
  country: "fr",
  lat: 45.76,
  lng: 4.84,
  offersTeleconsultation: true,
  acceptsNewPatients: true,
};

/** A complete doctor profile in Lyon, as the profile form sends it once parsed. */
export const profileInput = (overrides: Record<string, unknown> = {}) =>
  ProfileSchema.parse({ ...COMPLETE_PROFILE, ...overrides });
