-- Delivery counts per edition kept as deliveries change, so a report on a large edition reads a few thousand small
-- rows instead of every delivery. Statement-level triggers with transition tables append one row of per-state
-- deltas per statement (a claim, a batch's outcomes, a queued chunk): insert-only, so concurrent batches never wait
-- on a shared counter row. The report sums an edition's rows.
create table edition_delivery_counts (
    id         bigint generated always as identity primary key,
    edition_id bigint not null,
    pending    bigint not null default 0,
    sending    bigint not null default 0,
    sent       bigint not null default 0,
    deferred   bigint not null default 0,
    failed     bigint not null default 0,
    skipped    bigint not null default 0
);
create index edition_delivery_counts_edition on edition_delivery_counts (edition_id);

create function deliveries_counts_insert() returns trigger language plpgsql as $$
begin
    insert into edition_delivery_counts (edition_id, pending, sending, sent, deferred, failed, skipped)
    select edition_id, count(*) filter (where state = 'pending'), count(*) filter (where state = 'sending'),
           count(*) filter (where state = 'sent'), count(*) filter (where state = 'deferred'),
           count(*) filter (where state = 'failed'), count(*) filter (where state = 'skipped')
    from new_rows group by edition_id;
    return null;
end $$;

create function deliveries_counts_delete() returns trigger language plpgsql as $$
begin
    insert into edition_delivery_counts (edition_id, pending, sending, sent, deferred, failed, skipped)
    select edition_id, -count(*) filter (where state = 'pending'), -count(*) filter (where state = 'sending'),
           -count(*) filter (where state = 'sent'), -count(*) filter (where state = 'deferred'),
           -count(*) filter (where state = 'failed'), -count(*) filter (where state = 'skipped')
    from old_rows group by edition_id;
    return null;
end $$;

create function deliveries_counts_update() returns trigger language plpgsql as $$
begin
    insert into edition_delivery_counts (edition_id, pending, sending, sent, deferred, failed, skipped)
    select edition_id, sum(p), sum(sg), sum(st), sum(d), sum(f), sum(sk) from (
        select edition_id, (state = 'pending')::int as p, (state = 'sending')::int as sg, (state = 'sent')::int as st,
               (state = 'deferred')::int as d, (state = 'failed')::int as f, (state = 'skipped')::int as sk
        from new_rows
        union all
        select edition_id, -(state = 'pending')::int, -(state = 'sending')::int, -(state = 'sent')::int,
               -(state = 'deferred')::int, -(state = 'failed')::int, -(state = 'skipped')::int
        from old_rows) x
    group by edition_id
    -- A lease renewal or a reply written without a state change adds nothing.
    having sum(p) <> 0 or sum(sg) <> 0 or sum(st) <> 0 or sum(d) <> 0 or sum(f) <> 0 or sum(sk) <> 0;
    return null;
end $$;

create trigger deliveries_counts_insert after insert on deliveries
    referencing new table as new_rows for each statement execute function deliveries_counts_insert();
create trigger deliveries_counts_update after update on deliveries
    referencing old table as old_rows new table as new_rows for each statement execute function deliveries_counts_update();
create trigger deliveries_counts_delete after delete on deliveries
    referencing old table as old_rows for each statement execute function deliveries_counts_delete();

-- Deliveries that exist already.
insert into edition_delivery_counts (edition_id, pending, sending, sent, deferred, failed, skipped)
select edition_id, count(*) filter (where state = 'pending'), count(*) filter (where state = 'sending'),
       count(*) filter (where state = 'sent'), count(*) filter (where state = 'deferred'),
       count(*) filter (where state = 'failed'), count(*) filter (where state = 'skipped')
from deliveries group by edition_id;
