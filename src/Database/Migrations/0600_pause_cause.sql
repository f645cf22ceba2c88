-- 0600: why an edition is paused is a type (PauseCause in src/Sender/Editions), stored beside the human reason;
-- it replaces auto_paused (a relay pause is the one that resumes by itself).
alter table editions add column pause_cause text
    check (pause_cause in ('operator', 'relay', 'content', 'stale', 'complaints', 'bounces'));
update editions set pause_cause = case
        when auto_paused then 'relay'
        when reason like 'stale%' then 'stale'
        when reason like 'content cannot be built%' then 'content'
        else 'operator' end
 where state = 'paused';
alter table editions add constraint editions_pause_cause_check_paused check ((state = 'paused') = (pause_cause is not null));
alter table editions drop column auto_paused;
