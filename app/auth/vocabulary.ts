/** The words of accounts: the three fixed roles. Isomorphic; the schema imports it. */
export const ROLES = ["patient", "doctor", "admin"] as const;
export type Role = (typeof ROLES)[number];
