CREATE TABLE `analyses` (
	`id` text PRIMARY KEY NOT NULL,
	`patient_id` text NOT NULL,
	`image_key` text NOT NULL,
	`sha256` text NOT NULL,
	`model_version` text NOT NULL,
	`verdict` text NOT NULL,
	`reasons` text NOT NULL,
	`probabilities` text NOT NULL,
	`top_class` text NOT NULL,
	`confidence` text NOT NULL,
	`age_bracket` text,
	`note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`patient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `analyses_image_key_unique` ON `analyses` (`image_key`);--> statement-breakpoint
CREATE INDEX `analyses_patient_created_idx` ON `analyses` (`patient_id`,`created_at`);