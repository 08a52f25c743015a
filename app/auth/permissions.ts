import type { Role } from "./vocabulary";

export type Actor = { id: string; role: Role };

/**
 * Every role-based decision in one place (four fixed roles do not need RBAC tables).
 * Record-level checks compare ownership here too, so loaders and actions ask one question.
 */
export type Action =
  | { type: "admin:access" }
  | { type: "doctor:verify"; profileUserId: string }
  | { type: "doctor:edit-profile"; profileUserId: string }
  | { type: "patient:access" }
  | { type: "doctor:access" }
  /** The model lab: datasets, training jobs, comparisons, predictions with any version. */
  | { type: "lab:use" }
  /** Change the model every analysis uses: promote a candidate, roll back to a version. */
  | { type: "model:promote" }
  /** See who holds the researcher role; grant or revoke it (never one's own role). */
  | { type: "researchers:manage" }
  | { type: "researcher:grant"; userId: string }
  /** The de-identified research dataset (`canExportResearch`). */
  | { type: "research:export" }
  /**
   * A doctor's own clinic patients and records (the profile must also be certified, which
   * the clinic services check against the profile: docs/decisions/061).
   */
  | { type: "clinic:use" }
  /** A clinic patient record, by its owning doctor only. */
  | { type: "clinic:patient"; doctorId: string }
  /** Claiming clinic records through an invitation: a patient account. */
  | { type: "clinic:claim" };

export function can(actor: Actor | null, action: Action): boolean {
  if (!actor) return false;
  switch (action.type) {
    case "admin:access":
      return actor.role === "admin";
    case "doctor:verify":
      // Nobody verifies their own certification, not even an admin who is also listed.
      return actor.role === "admin" && actor.id !== action.profileUserId;
    case "doctor:edit-profile":
      return actor.role === "doctor" && actor.id === action.profileUserId;
    case "patient:access":
      return actor.role === "patient";
    case "doctor:access":
      return actor.role === "doctor";
    case "lab:use":
      return actor.role === "admin" || actor.role === "researcher";
    case "model:promote":
      return actor.role === "admin";
    case "researchers:manage":
      return actor.role === "admin";
    case "researcher:grant":
      return actor.role === "admin" && actor.id !== action.userId;
    case "research:export":
      return canExportResearch(actor);
    case "clinic:use":
      return actor.role === "doctor";
    case "clinic:patient":
      return actor.role === "doctor" && actor.id === action.doctorId;
    case "clinic:claim":
      return actor.role === "patient";
  }
}

/** The roles that may download the research dataset. */
const RESEARCH_EXPORT_ROLES: readonly Role[] = ["admin", "researcher"];

/** Who may export the de-identified research dataset (decision 062). */
export function canExportResearch(user: Actor | null): boolean {
  return !!user && RESEARCH_EXPORT_ROLES.includes(user.role);
}

/**
 * Who must use a second factor (decision 031): admins, researchers (the lab's datasets may hold
 * patients' smears) and verified doctors; patients may. `doctorVerified` is asked of doctors only.
 */
export async function mustUseSecondFactor(
  actor: Actor,
  doctorVerified: () => Promise<boolean>,
): Promise<boolean> {
  switch (actor.role) {
    case "admin":
    case "researcher":
      return true;
    case "doctor":
      return await doctorVerified();
    case "patient":
      return false;
  }
}
