-- 0420: an edition whose email template cannot be rendered is recorded as 'failed' with the reason (nothing queued,
-- its comparisons stay unsent).
alter table editions drop constraint editions_state_check;
alter table editions add constraint editions_state_check
    check (state in ('draft','scheduled','sending','paused','cancelled','sent','skipped','failed'));
