CREATE TABLE `research_consents` (
	`analysis_id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`granted_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`analysis_id`) REFERENCES `analyses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`patient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `research_consents_patient_idx` ON `research_consents` (`patient_id`);--> statement-breakpoint
CREATE TABLE `research_preferences` (
	`user_id` text PRIMARY KEY NOT NULL,
	`share_future_uploads` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
