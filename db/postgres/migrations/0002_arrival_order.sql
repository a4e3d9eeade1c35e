ALTER TABLE "return_events" ADD COLUMN "arrival" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "return_photos" ADD COLUMN "arrival" bigint DEFAULT 0 NOT NULL;