-- Trigram search over titles, error messages, file paths and symbols.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
