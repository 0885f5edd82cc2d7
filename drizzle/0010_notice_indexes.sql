DROP INDEX "commit_notices_title";--> statement-breakpoint
CREATE INDEX "commit_notices_title_lower" ON "commit_notices" USING btree (lower("title"));--> statement-breakpoint
CREATE INDEX "commit_notices_links" ON "commit_notices" USING gin ("links");--> statement-breakpoint
CREATE INDEX "commit_notices_in_reply_to" ON "commit_notices" USING btree ("in_reply_to");--> statement-breakpoint
CREATE INDEX "patches_title_lower" ON "patches" USING btree (lower("title"));