CREATE TABLE `review_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`review_id` text NOT NULL,
	`reporter_id` text NOT NULL,
	`reason` text NOT NULL,
	`resolved_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`review_id`) REFERENCES `reviews`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reporter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `review_reports_review_reporter_unique` ON `review_reports` (`review_id`,`reporter_id`);--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `geo_id` integer;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `rating_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `rating_sum` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `doctor_profiles_geo_id_unique` ON `doctor_profiles` (`geo_id`);--> statement-breakpoint
ALTER TABLE `reviews` ADD `doctor_reply_at` integer;--> statement-breakpoint
ALTER TABLE `reviews` ADD `verified_consultation` integer DEFAULT false NOT NULL;