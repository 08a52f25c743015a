ALTER TABLE `doctor_profiles` ADD `reply_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `median_reply_ms` integer;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `education` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `in_person_fee` text;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `teleconsultation_fee` text;--> statement-breakpoint
ALTER TABLE `doctor_profiles` ADD `photo_key` text;--> statement-breakpoint
-- Backfill of the reply time from the consultations answered so far, the same figures as
-- app/doctors/reply-time.server.ts keeps from now on (decision 048): per answered
-- consultation, the time from the request to the doctor's first reply (a message, or the
-- answer when it came first); per doctor, their count and median (the mean of the middle two
-- for an even count, rounded to the millisecond).
WITH replies AS (
  SELECT c.doctor_profile_id AS doctor,
    min(c.answered_at, coalesce(
      (SELECT min(m.created_at) FROM consultation_messages m
        WHERE m.consultation_id = c.id AND m.author_id = p.user_id),
      c.answered_at)) - c.created_at AS ms
  FROM consultations c JOIN doctor_profiles p ON p.id = c.doctor_profile_id
  WHERE c.answered_at IS NOT NULL
),
ranked AS (
  SELECT doctor, ms,
    row_number() OVER (PARTITION BY doctor ORDER BY ms) AS rn,
    count(*) OVER (PARTITION BY doctor) AS n
  FROM replies
),
medians AS (
  SELECT doctor, max(n) AS n, round(avg(ms)) AS median
  FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY doctor
)
UPDATE doctor_profiles
  SET reply_count = medians.n, median_reply_ms = CAST(medians.median AS INTEGER)
  FROM medians WHERE medians.doctor = doctor_profiles.id;
