-- Spatial index of verified doctors with a location (R*Tree), and review aggregates,
-- both maintained by triggers so they change in the same transaction as the rows.
CREATE VIRTUAL TABLE doctor_geo USING rtree(id, min_lat, max_lat, min_lng, max_lng);
--> statement-breakpoint
UPDATE doctor_profiles SET geo_id = rowid WHERE geo_id IS NULL;
--> statement-breakpoint
INSERT INTO doctor_geo (id, min_lat, max_lat, min_lng, max_lng)
  SELECT geo_id, lat, lat, lng, lng FROM doctor_profiles
  WHERE status = 'verified' AND lat IS NOT NULL AND lng IS NOT NULL;
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
--> statement-breakpoint
UPDATE doctor_profiles SET
  rating_count = (SELECT count(*) FROM reviews r WHERE r.doctor_id = doctor_profiles.id AND r.status <> 'hidden'),
  rating_sum = (SELECT coalesce(sum(r.rating), 0) FROM reviews r WHERE r.doctor_id = doctor_profiles.id AND r.status <> 'hidden');
--> statement-breakpoint
CREATE TRIGGER reviews_aggregate_insert AFTER INSERT ON reviews WHEN new.status <> 'hidden'
BEGIN
  UPDATE doctor_profiles SET rating_count = rating_count + 1, rating_sum = rating_sum + new.rating
    WHERE id = new.doctor_id;
END;
--> statement-breakpoint
CREATE TRIGGER reviews_aggregate_delete AFTER DELETE ON reviews WHEN old.status <> 'hidden'
BEGIN
  UPDATE doctor_profiles SET rating_count = rating_count - 1, rating_sum = rating_sum - old.rating
    WHERE id = old.doctor_id;
END;
--> statement-breakpoint
CREATE TRIGGER reviews_aggregate_update AFTER UPDATE OF status, rating ON reviews
BEGIN
  UPDATE doctor_profiles SET rating_count = rating_count - 1, rating_sum = rating_sum - old.rating
    WHERE id = old.doctor_id AND old.status <> 'hidden';
  UPDATE doctor_profiles SET rating_count = rating_count + 1, rating_sum = rating_sum + new.rating
    WHERE id = new.doctor_id AND new.status <> 'hidden';
END;
