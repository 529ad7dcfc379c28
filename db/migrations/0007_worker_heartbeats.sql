CREATE TABLE "worker_heartbeats" (
	"name" text NOT NULL,
	"instance" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"beat_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "worker_heartbeats_name_instance_pk" PRIMARY KEY("name","instance")
);
