CREATE TABLE "breakage_links" (
	"breakage_id" integer NOT NULL,
	"series_id" integer NOT NULL,
	"patch_number" integer,
	"via" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "breakage_reports" (
	"breakage_id" integer NOT NULL,
	"report_id" integer NOT NULL,
	CONSTRAINT "breakage_reports_breakage_id_report_id_pk" PRIMARY KEY("breakage_id","report_id")
);
--> statement-breakpoint
CREATE TABLE "breakages" (
	"id" serial PRIMARY KEY NOT NULL,
	"signature" text NOT NULL,
	"kind" text NOT NULL,
	"message" text NOT NULL,
	"file" text,
	"line" integer,
	"symbol" text,
	"error_text" text NOT NULL,
	"arch" text,
	"config" text,
	"compiler" text,
	"status" text NOT NULL,
	"status_reason" text NOT NULL,
	"baseline" jsonb,
	"first_report_message_id" text NOT NULL,
	"first_report_date" timestamp with time zone,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', coalesce(message, '') || ' ' || coalesce(file, '') || ' ' || coalesce(symbol, '') || ' ' || coalesce(error_text, ''))) STORED
);
--> statement-breakpoint
CREATE TABLE "build_reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"thread_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"reporter_name" text NOT NULL,
	"reporter_email" text NOT NULL,
	"date" timestamp with time zone,
	"context" jsonb NOT NULL,
	"patch_subject" text,
	"patch_link" text,
	"in_reply_to" text,
	"errors" jsonb NOT NULL,
	"signatures" text[] NOT NULL,
	"primary_signature" text,
	"series_key" text,
	"patch_number" integer
);
--> statement-breakpoint
CREATE TABLE "build_verdicts" (
	"id" serial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"thread_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"ref" text,
	"refs" text[] NOT NULL,
	"quote" text NOT NULL,
	"report_message_id" text NOT NULL,
	"author_name" text NOT NULL,
	"date" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "commit_notices" (
	"message_id" text PRIMARY KEY NOT NULL,
	"thread_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"commit" text,
	"branch" text,
	"tree" text,
	"title" text NOT NULL,
	"links" text[] NOT NULL,
	"in_reply_to" text,
	"author_name" text,
	"author_email" text,
	"date" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "fix_claims" (
	"id" serial PRIMARY KEY NOT NULL,
	"thread_id" bigint NOT NULL,
	"message_id" text NOT NULL,
	"fixup_key" text,
	"report_message_id" text NOT NULL,
	"via" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fixups" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"message_id" text NOT NULL,
	"thread_id" bigint NOT NULL,
	"series_id" integer,
	"form" text NOT NULL,
	"subject" text,
	"description" text NOT NULL,
	"author_name" text NOT NULL,
	"author_email" text NOT NULL,
	"date" timestamp with time zone,
	"files" text[] NOT NULL,
	"diff" text NOT NULL,
	"patch_id" text NOT NULL,
	"trailers" jsonb NOT NULL,
	"explicit_targets" jsonb NOT NULL,
	"target_number" integer,
	"target_message_id" text,
	"target_reason" text NOT NULL,
	"target_evidence" text NOT NULL,
	"candidates" jsonb NOT NULL,
	"preamble" text DEFAULT '' NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"state_reason" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patches" (
	"id" serial PRIMARY KEY NOT NULL,
	"series_id" integer NOT NULL,
	"number" integer NOT NULL,
	"message_id" text NOT NULL,
	"subject" text NOT NULL,
	"title" text NOT NULL,
	"author_name" text NOT NULL,
	"author_email" text NOT NULL,
	"date" timestamp with time zone,
	"files" text[] NOT NULL,
	"diffstat" jsonb NOT NULL,
	"patch_id" text NOT NULL,
	"applied_commit" text,
	"applied_branch" text,
	"applied_message_id" text
);
--> statement-breakpoint
CREATE TABLE "series" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"thread_id" bigint NOT NULL,
	"title" text NOT NULL,
	"version" integer NOT NULL,
	"version_label" text NOT NULL,
	"total" integer NOT NULL,
	"rfc" boolean NOT NULL,
	"resend" boolean NOT NULL,
	"is_pull_request" boolean NOT NULL,
	"author_name" text NOT NULL,
	"author_email" text NOT NULL,
	"date" timestamp with time zone,
	"cover_message_id" text,
	"received" integer[] NOT NULL,
	"missing" integer[] NOT NULL,
	"change_id" text,
	"in_reply_to" text,
	"message_ids" text[] NOT NULL,
	"reply_count" integer DEFAULT 0 NOT NULL,
	"previous_version_id" integer,
	"next_version_id" integer,
	"superseded_by_id" integer,
	"version_evidence" jsonb,
	"status" text DEFAULT 'new' NOT NULL,
	"status_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"review_facts" jsonb DEFAULT '{"nacks":[],"objections":[],"withdrawn":null}'::jsonb NOT NULL,
	"open_breakages" integer DEFAULT 0 NOT NULL,
	"pending_fixups" integer DEFAULT 0 NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(author_name, '') || ' ' || coalesce(author_email, ''))) STORED
);
--> statement-breakpoint
CREATE TABLE "syscall_changes" (
	"id" serial PRIMARY KEY NOT NULL,
	"series_id" integer NOT NULL,
	"patch_number" integer NOT NULL,
	"message_id" text NOT NULL,
	"table_path" text NOT NULL,
	"number" integer NOT NULL,
	"abi" text NOT NULL,
	"name" text NOT NULL,
	"old_entry" text,
	"new_entry" text,
	"old_compat" text,
	"new_compat" text,
	"kind" text NOT NULL,
	"date" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "syscall_links" (
	"change_id" integer NOT NULL,
	"target_kind" text NOT NULL,
	"target_id" text NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trailers" (
	"id" serial PRIMARY KEY NOT NULL,
	"series_id" integer NOT NULL,
	"patch_number" integer NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"message_id" text NOT NULL,
	"carried_from" text
);
--> statement-breakpoint
ALTER TABLE "breakage_links" ADD CONSTRAINT "breakage_links_breakage_id_breakages_id_fk" FOREIGN KEY ("breakage_id") REFERENCES "public"."breakages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breakage_links" ADD CONSTRAINT "breakage_links_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breakage_reports" ADD CONSTRAINT "breakage_reports_breakage_id_breakages_id_fk" FOREIGN KEY ("breakage_id") REFERENCES "public"."breakages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breakage_reports" ADD CONSTRAINT "breakage_reports_report_id_build_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."build_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fixups" ADD CONSTRAINT "fixups_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patches" ADD CONSTRAINT "patches_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "syscall_changes" ADD CONSTRAINT "syscall_changes_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "syscall_links" ADD CONSTRAINT "syscall_links_change_id_syscall_changes_id_fk" FOREIGN KEY ("change_id") REFERENCES "public"."syscall_changes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trailers" ADD CONSTRAINT "trailers_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "breakage_links_breakage" ON "breakage_links" USING btree ("breakage_id");--> statement-breakpoint
CREATE INDEX "breakage_links_series" ON "breakage_links" USING btree ("series_id");--> statement-breakpoint
CREATE INDEX "breakage_reports_report" ON "breakage_reports" USING btree ("report_id");--> statement-breakpoint
CREATE UNIQUE INDEX "breakages_signature" ON "breakages" USING btree ("signature");--> statement-breakpoint
CREATE INDEX "breakages_search" ON "breakages" USING gin ("search");--> statement-breakpoint
CREATE INDEX "breakages_message_trgm" ON "breakages" USING gin ("message" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "breakages_file_trgm" ON "breakages" USING gin ("file" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "breakages_text_trgm" ON "breakages" USING gin ("error_text" gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "build_reports_message" ON "build_reports" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "build_reports_thread" ON "build_reports" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "build_reports_signatures" ON "build_reports" USING gin ("signatures");--> statement-breakpoint
CREATE INDEX "build_reports_primary" ON "build_reports" USING btree ("primary_signature");--> statement-breakpoint
CREATE INDEX "build_verdicts_thread" ON "build_verdicts" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "build_verdicts_report" ON "build_verdicts" USING btree ("report_message_id");--> statement-breakpoint
CREATE INDEX "commit_notices_thread" ON "commit_notices" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "commit_notices_title" ON "commit_notices" USING btree ("title");--> statement-breakpoint
CREATE INDEX "fix_claims_thread" ON "fix_claims" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "fix_claims_report" ON "fix_claims" USING btree ("report_message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "fixups_key" ON "fixups" USING btree ("key");--> statement-breakpoint
CREATE INDEX "fixups_thread" ON "fixups" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "fixups_series" ON "fixups" USING btree ("series_id");--> statement-breakpoint
CREATE INDEX "fixups_state" ON "fixups" USING btree ("state");--> statement-breakpoint
CREATE INDEX "patches_series" ON "patches" USING btree ("series_id","number");--> statement-breakpoint
CREATE INDEX "patches_message" ON "patches" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "patches_patch_id" ON "patches" USING btree ("patch_id");--> statement-breakpoint
CREATE INDEX "patches_title" ON "patches" USING btree ("title");--> statement-breakpoint
CREATE UNIQUE INDEX "series_key" ON "series" USING btree ("key");--> statement-breakpoint
CREATE INDEX "series_thread" ON "series" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "series_date" ON "series" USING btree ("date");--> statement-breakpoint
CREATE INDEX "series_author" ON "series" USING btree ("author_email");--> statement-breakpoint
CREATE INDEX "series_status" ON "series" USING btree ("status");--> statement-breakpoint
CREATE INDEX "series_search" ON "series" USING gin ("search");--> statement-breakpoint
CREATE INDEX "series_title_trgm" ON "series" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "syscall_changes_series" ON "syscall_changes" USING btree ("series_id");--> statement-breakpoint
CREATE INDEX "syscall_changes_name" ON "syscall_changes" USING btree ("name");--> statement-breakpoint
CREATE INDEX "syscall_changes_number" ON "syscall_changes" USING btree ("number");--> statement-breakpoint
CREATE INDEX "syscall_links_change" ON "syscall_links" USING btree ("change_id");--> statement-breakpoint
CREATE INDEX "syscall_links_target" ON "syscall_links" USING btree ("target_kind","target_id");--> statement-breakpoint
CREATE INDEX "trailers_series" ON "trailers" USING btree ("series_id","patch_number");