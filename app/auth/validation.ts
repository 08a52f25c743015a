import { z } from "zod";

import { PASSWORD_MAX, PASSWORD_MIN } from "./password-rules";

export const EmailSchema = z
  .string({ error: "Enter your email address" })
  .trim()
  .min(1, "Enter your email address")
  .max(254, "That email address is too long")
  .pipe(z.email({ error: "Enter a valid email address" }))
  .transform((email) => email.toLowerCase());

/** The length rules; how guessable it is depends on who sets it (password-strength.server.ts). */
export const PasswordSchema = z
  .string({ error: "Enter a password" })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`);

export const LoginSchema = z.object({
  email: EmailSchema,
  // Login checks only presence: old accounts may predate today's password rules.
  password: z.string({ error: "Enter your password" }).min(1, "Enter your password").max(1024),
  redirectTo: z.string().optional(),
});

export const RegisterSchema = z.object({
  name: z
    .string({ error: "Enter your name" })
    .trim()
    .min(1, "Enter your name")
    .max(100, "Use at most 100 characters"),
  email: EmailSchema,
  password: PasswordSchema,
  isDoctor: z.boolean().default(false),
  redirectTo: z.string().optional(),
});

export type LoginInput = z.output<typeof LoginSchema>;
export type RegisterInput = z.output<typeof RegisterSchema>;

export const ForgotPasswordSchema = z.object({ email: EmailSchema });

export const ResetPasswordSchema = z.object({
  token: z.string({ error: "This link is incomplete" }).min(1).max(200),
  password: PasswordSchema,
});

/** Six digits from the authenticator app (spaces allowed, as some apps show them). */
export const CodeSchema = z.object({
  code: z
    .string({ error: "Enter the 6-digit code from your app" })
    .trim()
    .transform((code) => code.replace(/\s/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your app")),
});

export const RecoveryCodeSchema = z.object({
  recoveryCode: z
    .string({ error: "Enter one of your recovery codes" })
    .trim()
    .min(1, "Enter one of your recovery codes")
    .max(40, "That is not a recovery code"),
});
