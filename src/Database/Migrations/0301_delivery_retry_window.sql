-- 0301: a delivery's retry window starts when its edition starts, or when an admin retries it ("retry failed").
alter table deliveries add column window_start timestamptz;
