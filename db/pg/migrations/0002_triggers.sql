-- The audit log is append-only (SQLite: migration 0001): UPDATE, DELETE and TRUNCATE fail.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint
-- A doctor's review aggregates count visible reviews only, in the review's own transaction
-- (SQLite: migration 0004).
CREATE FUNCTION reviews_aggregate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'hidden' THEN
    UPDATE doctor_profiles SET rating_count = rating_count - 1, rating_sum = rating_sum - OLD.rating
      WHERE id = OLD.doctor_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status <> 'hidden' THEN
    UPDATE doctor_profiles SET rating_count = rating_count + 1, rating_sum = rating_sum + NEW.rating
      WHERE id = NEW.doctor_id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER reviews_aggregate_insert_delete AFTER INSERT OR DELETE ON reviews
  FOR EACH ROW EXECUTE FUNCTION reviews_aggregate();
--> statement-breakpoint
CREATE TRIGGER reviews_aggregate_update AFTER UPDATE OF status, rating, doctor_id ON reviews
  FOR EACH ROW EXECUTE FUNCTION reviews_aggregate();
