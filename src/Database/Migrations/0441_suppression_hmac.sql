-- 0441: suppressions keep a keyed hash (HMAC under Subscribers__SuppressionKey). Rows written before, or by an older
-- instance during a rolling update, are unkeyed until the service converts them at start (SuppressionHash).
alter table suppressions add column keyed boolean not null default false;
create index suppressions_unkeyed on suppressions (email_hash) where not keyed;
