-- PostGIS for the doctors' geography column (managed Postgres: RDS, Neon and Supabase allow it).
CREATE EXTENSION IF NOT EXISTS postgis;
