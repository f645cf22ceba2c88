-- 0400: an edition that ends with nothing delivered ends 'failed' (with the reason) instead of 'sent'.
-- paused_at: when the edition last paused, so one paused longer than Delivery__MaxStaleness waits for an admin.
-- paused_total: how long it has been paused in all; the retry window of its deliveries does not run meanwhile.
alter table editions drop constraint editions_state_check;
alter table editions add constraint editions_state_check
    check (state in ('draft','scheduled','sending','paused','cancelled','sent','skipped','failed'));
alter table editions add column paused_at timestamptz;
alter table editions add column paused_total interval not null default interval '0';
