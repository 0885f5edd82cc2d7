DROP INDEX "series_author";--> statement-breakpoint
ALTER TABLE "build_reports" ADD COLUMN "error_files" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "import_runs" ADD COLUMN "derived_through" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "build_reports_error_files" ON "build_reports" USING gin ("error_files");--> statement-breakpoint
CREATE INDEX "series_change_id" ON "series" USING btree ("change_id");--> statement-breakpoint
CREATE INDEX "series_title_lower" ON "series" USING btree (lower("title"));--> statement-breakpoint
CREATE INDEX "series_in_reply_to" ON "series" USING btree ("in_reply_to");--> statement-breakpoint
CREATE INDEX "series_author" ON "series" USING btree ("author_email","date");