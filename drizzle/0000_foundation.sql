CREATE SEQUENCE "public"."thread_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "imap_checkpoints" (
	"account" text NOT NULL,
	"mailbox" text NOT NULL,
	"uid_validity" text NOT NULL,
	"last_uid" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "imap_checkpoints_account_mailbox_pk" PRIMARY KEY("account","mailbox")
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"state" text NOT NULL,
	"total_bytes" bigint,
	"done_bytes" bigint DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"added" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"flagged" integer DEFAULT 0 NOT NULL,
	"error" text,
	"pid" integer
);
--> statement-breakpoint
CREATE TABLE "message_sources" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"raw_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"source_key" text NOT NULL,
	"path" text,
	"offset" bigint,
	"account" text,
	"mailbox" text,
	"uid_validity" text,
	"uid" bigint,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"raw_id" bigint PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"canonical" boolean NOT NULL,
	"subject" text NOT NULL,
	"from_name" text NOT NULL,
	"from_email" text NOT NULL,
	"date" timestamp with time zone,
	"sort_date" timestamp with time zone NOT NULL,
	"in_reply_to" text,
	"references" text[] NOT NULL,
	"body" text NOT NULL,
	"attachments" jsonb NOT NULL,
	"headers" jsonb NOT NULL,
	"thread_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "raw_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"message_id" text NOT NULL,
	"raw" "bytea" NOT NULL,
	"size" integer NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"parse_status" text NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "thread_links" (
	"key" text PRIMARY KEY NOT NULL,
	"thread_id" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "message_sources" ADD CONSTRAINT "message_sources_raw_id_raw_messages_id_fk" FOREIGN KEY ("raw_id") REFERENCES "public"."raw_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_raw_id_raw_messages_id_fk" FOREIGN KEY ("raw_id") REFERENCES "public"."raw_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "message_sources_key" ON "message_sources" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "message_sources_raw" ON "message_sources" USING btree ("raw_id");--> statement-breakpoint
CREATE INDEX "messages_message_id" ON "messages" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "messages_thread" ON "messages" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "messages_sort_date" ON "messages" USING btree ("sort_date");--> statement-breakpoint
CREATE INDEX "messages_in_reply_to" ON "messages" USING btree ("in_reply_to");--> statement-breakpoint
CREATE UNIQUE INDEX "raw_messages_sha256" ON "raw_messages" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "raw_messages_message_id" ON "raw_messages" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "thread_links_thread" ON "thread_links" USING btree ("thread_id");