DROP INDEX "breakage_links_breakage";--> statement-breakpoint
DROP INDEX "breakage_links_series";--> statement-breakpoint
DROP INDEX "series_title_lower";--> statement-breakpoint
DROP INDEX "series_status";--> statement-breakpoint
CREATE INDEX "breakage_links_by_breakage" ON "breakage_links" USING btree ("breakage_id","series_id","patch_number");--> statement-breakpoint
CREATE INDEX "breakage_links_by_series" ON "breakage_links" USING btree ("series_id","breakage_id","patch_number");--> statement-breakpoint
CREATE INDEX "breakages_recent" ON "breakages" USING btree ("first_report_date" DESC NULLS LAST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "series_list" ON "series" USING btree ("date" DESC NULLS LAST,"id" DESC NULLS FIRST,"status","open_breakages","pending_fixups");--> statement-breakpoint
CREATE INDEX "series_status_date" ON "series" USING btree ("status","date" DESC NULLS LAST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "series_title_sort" ON "series" USING btree (lower("title"),"version","id");--> statement-breakpoint
CREATE INDEX "series_author_trgm" ON "series" USING gin ("author_name" gin_trgm_ops,"author_email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "syscall_changes_old_symbol" ON "syscall_changes" USING btree (split_part("old_entry", '/', 1));--> statement-breakpoint
CREATE INDEX "syscall_changes_new_symbol" ON "syscall_changes" USING btree (split_part("new_entry", '/', 1));