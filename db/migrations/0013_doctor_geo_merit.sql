-- The doctor search bounds a doctor's score from the R*Tree's nodes alone
-- (docs/decisions/044-search-bounded-by-merit.md): the third dimension is no longer the Bayesian
-- rating but the doctor's *merit*, the part of the score that does not depend on the query:
--   RANKING_WEIGHTS.rating · clamp((bayesian − 1) / 4, 0, 1)
--   + RANKING_WEIGHTS.teleconsultation · [offers teleconsultation]
--   + RANKING_WEIGHTS.accepting · [accepts new patients]
-- with bayesian = (20 + sum) / (5 + count), RATING_PRIOR of app/doctors/ranking.ts (mean 4,
-- weight 5). A unit test fails if these numbers and ranking.ts disagree; changing either needs a
-- migration like this one. The auxiliary columns are those the filters read (the exact point
-- and aggregates the score needs are read from doctor_profiles for the few candidates). The
-- triggers keep the index in step with the profile in the same transaction, as before.
DROP TRIGGER IF EXISTS doctor_profiles_geo_insert;
--> statement-breakpoint
DROP TRIGGER IF EXISTS doctor_profiles_geo_update;
--> statement-breakpoint
DROP TRIGGER IF EXISTS doctor_profiles_geo_delete;
--> statement-breakpoint
DROP TABLE doctor_geo;
--> statement-breakpoint
CREATE VIRTUAL TABLE doctor_geo USING rtree(
  id, min_lat, max_lat, min_lng, max_lng, min_merit, max_merit,
  +rating_sum, +rating_count, +teleconsultation, +accepting, +specialties, +languages
);
--> statement-breakpoint
INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng, min_merit, max_merit, rating_sum,
    rating_count, teleconsultation, accepting, specialties, languages)
  SELECT geo_id, lat, lat, lng, lng,
      0.35 * min(1.0, max(0.0, ((20.0 + rating_sum) / (5.0 + rating_count) - 1.0) / 4.0))
        + 0.04 * offers_teleconsultation + 0.04 * accepts_new_patients,
      0.35 * min(1.0, max(0.0, ((20.0 + rating_sum) / (5.0 + rating_count) - 1.0) / 4.0))
        + 0.04 * offers_teleconsultation + 0.04 * accepts_new_patients,
      rating_sum, rating_count, offers_teleconsultation, accepts_new_patients,
      specialties, languages
  FROM doctor_profiles
  WHERE geo_id IS NOT NULL AND status = 'verified' AND lat IS NOT NULL AND lng IS NOT NULL;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_insert AFTER INSERT ON doctor_profiles
  WHEN new.geo_id IS NOT NULL AND new.status = 'verified' AND new.lat IS NOT NULL AND new.lng IS NOT NULL
BEGIN
  INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng, min_merit, max_merit, rating_sum,
    rating_count, teleconsultation, accepting, specialties, languages)
    VALUES (new.geo_id, new.lat, new.lat, new.lng, new.lng,
      0.35 * min(1.0, max(0.0, ((20.0 + new.rating_sum) / (5.0 + new.rating_count) - 1.0) / 4.0))
        + 0.04 * new.offers_teleconsultation + 0.04 * new.accepts_new_patients,
      0.35 * min(1.0, max(0.0, ((20.0 + new.rating_sum) / (5.0 + new.rating_count) - 1.0) / 4.0))
        + 0.04 * new.offers_teleconsultation + 0.04 * new.accepts_new_patients,
      new.rating_sum, new.rating_count, new.offers_teleconsultation, new.accepts_new_patients,
      new.specialties, new.languages);
END;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_update AFTER UPDATE OF status, lat, lng, geo_id, rating_sum,
    rating_count, offers_teleconsultation, accepts_new_patients, specialties, languages
  ON doctor_profiles
BEGIN
  DELETE FROM doctor_geo WHERE id = old.geo_id;
  INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng, min_merit, max_merit, rating_sum,
    rating_count, teleconsultation, accepting, specialties, languages)
    SELECT new.geo_id, new.lat, new.lat, new.lng, new.lng,
      0.35 * min(1.0, max(0.0, ((20.0 + new.rating_sum) / (5.0 + new.rating_count) - 1.0) / 4.0))
        + 0.04 * new.offers_teleconsultation + 0.04 * new.accepts_new_patients,
      0.35 * min(1.0, max(0.0, ((20.0 + new.rating_sum) / (5.0 + new.rating_count) - 1.0) / 4.0))
        + 0.04 * new.offers_teleconsultation + 0.04 * new.accepts_new_patients,
      new.rating_sum, new.rating_count, new.offers_teleconsultation, new.accepts_new_patients,
      new.specialties, new.languages
    WHERE new.geo_id IS NOT NULL AND new.status = 'verified' AND new.lat IS NOT NULL AND new.lng IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_delete AFTER DELETE ON doctor_profiles
BEGIN
  DELETE FROM doctor_geo WHERE id = old.geo_id;
END;
