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
	FOREIGN KEY (`patient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "analyses_verdict_check" CHECK("analyses"."verdict" in ('ok', 'cant_assess')),
	CONSTRAINT "analyses_top_class_check" CHECK("analyses"."top_class" in ('benign', 'early_pre_b', 'pre_b', 'pro_b')),
	CONSTRAINT "analyses_confidence_check" CHECK("analyses"."confidence" in ('high', 'moderate', 'low')),
	CONSTRAINT "analyses_age_bracket_check" CHECK("analyses"."age_bracket" in ('child', 'adult'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `analyses_image_key_unique` ON `analyses` (`image_key`);--> statement-breakpoint
CREATE INDEX `analyses_patient_created_idx` ON `analyses` (`patient_id`,`created_at`);