/** The kinds of in-app notification. Isomorphic; the schema imports it. */
export const NOTIFICATION_KINDS = [
  "consultation.requested",
  "consultation.accepted",
  "consultation.declined",
  "consultation.answered",
  "consultation.withdrawn",
  "consultation.revoked",
  "consultation.closed",
  "consultation.message",
  "consultation.access-lost",
  "consultation.access-restored",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
