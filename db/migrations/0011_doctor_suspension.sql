-- A fourth verification status, "suspended" (with its reason, time and admin). SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt. migrateDatabase() turns foreign
-- keys off around the migrations: with them on, DROP TABLE would cascade to every consultation
-- and review of every doctor. Legacy rename keeps SQLite from re-checking the triggers of other
-- tables (reviews) that name doctor_profiles while it is briefly missing. The table's own
-- triggers (spatial index, geo ids) go with the old table and are created again below.
PRAGMA legacy_alter_table=ON;
--> statement-breakpoint
CREATE TABLE `__new_doctor_profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`title` text,
	`licence_number` text,
	`licence_authority` text,
	`board_certifications` text DEFAULT '[]' NOT NULL,
	`specialties` text DEFAULT '[]' NOT NULL,
	`languages` text DEFAULT '[]' NOT NULL,
	`clinic_name` text,
	`street_address` text,
	`city` text,
	`country` text,
	`lat` real,
	`lng` real,
	`offers_teleconsultation` integer DEFAULT false NOT NULL,
	`accepts_new_patients` integer DEFAULT true NOT NULL,
	`bio` text,
	`phone` text,
	`website` text,
	`is_demo` integer DEFAULT false NOT NULL,
	`verified_at` integer,
	`verified_by` text,
	`rejection_reason` text,
	`suspension_reason` text,
	`suspended_at` integer,
	`suspended_by` text,
	`geo_id` integer,
	`rating_count` integer DEFAULT 0 NOT NULL,
	`rating_sum` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`verified_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`suspended_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "doctor_profiles_status_check" CHECK("status" in ('pending', 'verified', 'suspended', 'rejected'))
);
--> statement-breakpoint
INSERT INTO `__new_doctor_profiles`(`id`, `user_id`, `status`, `title`, `licence_number`, `licence_authority`, `board_certifications`, `specialties`, `languages`, `clinic_name`, `street_address`, `city`, `country`, `lat`, `lng`, `offers_teleconsultation`, `accepts_new_patients`, `bio`, `phone`, `website`, `is_demo`, `verified_at`, `verified_by`, `rejection_reason`, `geo_id`, `rating_count`, `rating_sum`, `created_at`, `updated_at`)
  SELECT `id`, `user_id`, `status`, `title`, `licence_number`, `licence_authority`, `board_certifications`, `specialties`, `languages`, `clinic_name`, `street_address`, `city`, `country`, `lat`, `lng`, `offers_teleconsultation`, `accepts_new_patients`, `bio`, `phone`, `website`, `is_demo`, `verified_at`, `verified_by`, `rejection_reason`, `geo_id`, `rating_count`, `rating_sum`, `created_at`, `updated_at` FROM `doctor_profiles`;
--> statement-breakpoint
DROP TABLE `doctor_profiles`;
--> statement-breakpoint
ALTER TABLE `__new_doctor_profiles` RENAME TO `doctor_profiles`;
--> statement-breakpoint
PRAGMA legacy_alter_table=OFF;
--> statement-breakpoint
CREATE UNIQUE INDEX `doctor_profiles_user_id_unique` ON `doctor_profiles` (`user_id`);
--> statement-breakpoint
CREATE UNIQUE INDEX `doctor_profiles_geo_id_unique` ON `doctor_profiles` (`geo_id`);
--> statement-breakpoint
CREATE INDEX `doctor_profiles_status_idx` ON `doctor_profiles` (`status`);
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_assign_geo_id AFTER INSERT ON doctor_profiles WHEN new.geo_id IS NULL
BEGIN
  UPDATE doctor_profiles
    SET geo_id = (SELECT coalesce(max(geo_id), 0) + 1 FROM doctor_profiles)
    WHERE id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_insert AFTER INSERT ON doctor_profiles
  WHEN new.geo_id IS NOT NULL AND new.status = 'verified' AND new.lat IS NOT NULL AND new.lng IS NOT NULL
BEGIN
  INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng)
    VALUES (new.geo_id, new.lat, new.lat, new.lng, new.lng);
END;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_update AFTER UPDATE OF status, lat, lng, geo_id ON doctor_profiles
BEGIN
  DELETE FROM doctor_geo WHERE id = old.geo_id;
  INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng)
    SELECT new.geo_id, new.lat, new.lat, new.lng, new.lng
    WHERE new.geo_id IS NOT NULL AND new.status = 'verified' AND new.lat IS NOT NULL AND new.lng IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_delete AFTER DELETE ON doctor_profiles
BEGIN
  DELETE FROM doctor_geo WHERE id = old.geo_id;
END;
