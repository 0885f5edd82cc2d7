-- Reports stored before error_files existed: fill it from their errors.
UPDATE "build_reports" r SET "error_files" = coalesce(
  (SELECT array_agg(DISTINCT e->>'file') FROM jsonb_array_elements(r."errors") e WHERE e->>'file' IS NOT NULL), '{}'::text[]);
--> statement-breakpoint
-- Raw mail and bodies are written once and read often: lz4 compresses them several times faster
-- than the default pglz (import is bound by it). Only servers built with lz4 offer it; others keep pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE "raw_messages" ALTER COLUMN "raw" SET COMPRESSION lz4;
    ALTER TABLE "messages" ALTER COLUMN "body" SET COMPRESSION lz4;
    ALTER TABLE "messages" ALTER COLUMN "headers" SET COMPRESSION lz4;
    ALTER TABLE "messages" ALTER COLUMN "attachments" SET COMPRESSION lz4;
  END IF;
END $$;
