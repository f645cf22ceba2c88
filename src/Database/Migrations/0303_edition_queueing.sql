-- 0303: an edition's deliveries are queued in chunks. The transaction that starts an edition stores its content and
-- queues the first chunk, so sending begins within a second whatever the size of the list; the rest follow in
-- set-based chunks (EditionQueuer), each in its own transaction that also moves the edition's cursor, so a crash
-- between chunks loses nothing and duplicates nothing (deliveries_once stays the safety net).
--   queue_until: the highest subscriber id when the edition started; later signups wait for the next edition.
--   queue_after: subscribers with a higher id (up to queue_until) are still to be queued; null once all are.
-- An edition is never marked sent while queue_after is set.
alter table editions add column queue_after bigint;
alter table editions add column queue_until bigint;
