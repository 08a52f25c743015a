-- The doctor search reads everything its score needs from the R*Tree itself
-- (docs/decisions/039-search-in-the-rtree.md): a third dimension holds the doctor's Bayesian
-- rating (RATING_PRIOR of app/doctors/ranking.ts: mean 4, weight 5; a test checks they agree),
-- so a ring can skip doctors whose rating cannot reach the top k without reading them, and
-- the exact point, the review aggregates, the two flags and the JSON lists of specialties and
-- languages are auxiliary columns, so no row of doctor_profiles is looked up while scoring.
-- The triggers keep them in step with the profile in the same transaction, as before.
DROP TRIGGER IF EXISTS doctor_profiles_geo_insert;
--> statement-breakpoint
DROP TRIGGER IF EXISTS doctor_profiles_geo_update;
--> statement-breakpoint
DROP TRIGGER IF EXISTS doctor_profiles_geo_delete;
--> statement-breakpoint
DROP TABLE doctor_geo;
--> statement-breakpoint
CREATE VIRTUAL TABLE doctor_geo USING rtree(
  id, min_lat, max_lat, min_lng, max_lng, min_rating, max_rating,
  +lat, +lng, +rating_sum, +rating_count, +teleconsultation, +accepting, +specialties, +languages
);
--> statement-breakpoint
INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng, min_rating, max_rating, lat, lng, rating_sum,
    rating_count, teleconsultation, accepting, specialties, languages)
  SELECT geo_id, lat, lat, lng, lng,
    (20.0 + rating_sum) / (5.0 + rating_count), (20.0 + rating_sum) / (5.0 + rating_count), lat, lng, rating_sum, rating_count,
    offers_teleconsultation, accepts_new_patients, specialties, languages
  FROM doctor_profiles
  WHERE geo_id IS NOT NULL AND status = 'verified' AND lat IS NOT NULL AND lng IS NOT NULL;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_insert AFTER INSERT ON doctor_profiles
  WHEN new.geo_id IS NOT NULL AND new.status = 'verified' AND new.lat IS NOT NULL AND new.lng IS NOT NULL
BEGIN
  INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng, min_rating, max_rating, lat, lng, rating_sum,
      rating_count, teleconsultation, accepting, specialties, languages)
    VALUES (new.geo_id, new.lat, new.lat, new.lng, new.lng,
      (20.0 + new.rating_sum) / (5.0 + new.rating_count), (20.0 + new.rating_sum) / (5.0 + new.rating_count), new.lat, new.lng, new.rating_sum,
      new.rating_count, new.offers_teleconsultation, new.accepts_new_patients,
      new.specialties, new.languages);
END;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_update AFTER UPDATE OF status, lat, lng, geo_id, rating_sum,
    rating_count, offers_teleconsultation, accepts_new_patients, specialties, languages
  ON doctor_profiles
BEGIN
  DELETE FROM doctor_geo WHERE id = old.geo_id;
  INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng, min_rating, max_rating, lat, lng, rating_sum,
      rating_count, teleconsultation, accepting, specialties, languages)
    SELECT new.geo_id, new.lat, new.lat, new.lng, new.lng,
      (20.0 + new.rating_sum) / (5.0 + new.rating_count), (20.0 + new.rating_sum) / (5.0 + new.rating_count), new.lat, new.lng, new.rating_sum,
      new.rating_count, new.offers_teleconsultation, new.accepts_new_patients,
      new.specialties, new.languages
    WHERE new.geo_id IS NOT NULL AND new.status = 'verified' AND new.lat IS NOT NULL AND new.lng IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER doctor_profiles_geo_delete AFTER DELETE ON doctor_profiles
BEGIN
  DELETE FROM doctor_geo WHERE id = old.geo_id;
END;
