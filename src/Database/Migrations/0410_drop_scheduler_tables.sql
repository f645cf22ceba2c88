-- The weekly schedule moved to Hangfire (its own schema "hangfire", installed at start-up under the migration lock);
-- the tables of the scheduler it replaced go. Databases created after the change never had them.
drop table if exists qrtz_fired_triggers, qrtz_paused_trigger_grps, qrtz_scheduler_state, qrtz_locks,
    qrtz_simple_triggers, qrtz_cron_triggers, qrtz_simprop_triggers, qrtz_blob_triggers, qrtz_triggers,
    qrtz_job_details, qrtz_calendars, qrtz_paused_job_grps, qrtz_execution_history, qrtz_misfire_history,
    qrtz_job_status cascade;
