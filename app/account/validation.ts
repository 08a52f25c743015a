import { z } from "zod";

/** Deleting the account: the password again (re-authentication) and an explicit yes. */
export const DeleteAccountSchema = z.object({
  password: z
    .string({ error: "Type your password to confirm" })
    .min(1, "Type your password to confirm")
    .max(1024),
  confirm: z.literal("yes", { error: "Tick the box to confirm that this cannot be undone" }),
});
