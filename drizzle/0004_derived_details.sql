ALTER TABLE "patches" ADD COLUMN "placeholder" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "syscall_changes" ADD COLUMN "old_qualifier" text;--> statement-breakpoint
ALTER TABLE "syscall_changes" ADD COLUMN "new_qualifier" text;--> statement-breakpoint
ALTER TABLE "trailers" ADD COLUMN "value" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "raw_messages_received" ON "raw_messages" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "series_message_ids" ON "series" USING gin ("message_ids");