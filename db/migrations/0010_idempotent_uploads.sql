CREATE TABLE `uploads` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`image_key` text NOT NULL,
	`idempotency_key` text,
	`request_sha256` text NOT NULL,
	`owner` text NOT NULL,
	`analysis_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`analysis_id`) REFERENCES `analyses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uploads_image_key_unique` ON `uploads` (`image_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `uploads_user_idempotency_unique` ON `uploads` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `uploads_pending_idx` ON `uploads` (`analysis_id`,`created_at`);