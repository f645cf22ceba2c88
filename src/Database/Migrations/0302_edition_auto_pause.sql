-- 0302: an edition paused by the engine because the relay kept failing resumes by itself when a probe succeeds;
-- one paused by an admin waits for an admin.
alter table editions add column auto_paused boolean not null default false;
