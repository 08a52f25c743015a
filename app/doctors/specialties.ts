export const SPECIALTIES = {
  hematology: "Hematology",
  "hematology-oncology": "Hematology-oncology",
  "pediatric-hematology-oncology": "Pediatric hematology-oncology",
  hematopathology: "Hematopathology",
} as const;

export type Specialty = keyof typeof SPECIALTIES;
export const SPECIALTY_IDS = Object.keys(SPECIALTIES) as Specialty[];
