/**
 * The words of accounts: the four fixed roles. Isomorphic; the schema imports it. A researcher
 * is granted by an admin and uses the model lab's datasets and jobs (app/auth/permissions.ts).
 */
export const ROLES = ["patient", "doctor", "admin", "researcher"] as const;
export type Role = (typeof ROLES)[number];
