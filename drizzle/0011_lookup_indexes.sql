CREATE INDEX "build_reports_series_key" ON "build_reports" USING btree ("series_key");--> statement-breakpoint
CREATE INDEX "series_cover" ON "series" USING btree ("cover_message_id");