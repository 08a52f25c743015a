-- The record of which model version is in use (every instance reads its newest row), and a
-- fourth role, "researcher". SQLite cannot change the users table's CHECK constraint in place,
-- so the table is rebuilt; migrateDatabase() turns foreign keys off around the migrations and
-- runs foreign_key_check after them, so the rows that name a user keep pointing at it.
CREATE TABLE `model_promotions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version` text NOT NULL,
	`previous_version` text,
	`kind` text NOT NULL,
	`job_id` text,
	`promoted_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `lab_jobs`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`promoted_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "model_promotions_kind_check" CHECK("model_promotions"."kind" in ('promote', 'rollback'))
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'patient' NOT NULL,
	`display_name` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "users_role_check" CHECK("__new_users"."role" in ('patient', 'doctor', 'admin', 'researcher'))
);
--> statement-breakpoint
INSERT INTO `__new_users`("id", "email", "password_hash", "role", "display_name", "created_at", "updated_at") SELECT "id", "email", "password_hash", "role", "display_name", "created_at", "updated_at" FROM `users`;--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_lower_unique` ON `users` (lower("email"));
