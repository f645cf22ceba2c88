-- Outgoing webhooks (issue 22). The configured endpoints are mirrored here at start-up (secrets stay in the
-- configuration); a trigger writes one delivery row per subscribed endpoint in the transaction that records the
-- event (a subscriber status change, an edition starting or finishing), so the outbox can neither lose an event
-- nor announce one that rolled back.
create table webhook_endpoints (
    id      int    generated always as identity primary key,
    url     text   not null unique,
    events  text[] not null,
    active  boolean not null default true
);

create table webhook_deliveries (
    id              bigint generated always as identity primary key,
    endpoint_id     int         not null references webhook_endpoints(id) on delete cascade,
    message_id      text        not null,             -- webhook-id: the same on every attempt, so receivers can deduplicate
    event_type      text        not null,
    payload         jsonb       not null,
    state           text        not null default 'pending' check (state in ('pending','delivered','failed')),
    attempts        int         not null default 0,
    created_at      timestamptz not null default now(),
    next_attempt_at timestamptz not null default now(),
    last_attempt_at timestamptz,
    last_error      text,
    delivered_at    timestamptz
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at, id) where state = 'pending';
create index webhook_deliveries_failed on webhook_deliveries (id) where state = 'failed';

create function webhook_enqueue(kind text, body jsonb) returns void language sql as $$
    insert into webhook_deliveries (endpoint_id, message_id, event_type, payload)
    select e.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), kind,
           jsonb_build_object('type', kind, 'timestamp', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'data', body)
    from webhook_endpoints e
    where e.active and kind = any(e.events);
$$;

create function webhook_subscriber_event() returns trigger language plpgsql as $$
declare
    kind text := case new.to_status
        when 'confirmed' then 'subscriber.confirmed'
        when 'unsubscribed' then 'subscriber.unsubscribed'
        when 'bounced' then 'subscriber.bounced'
        when 'complained' then 'subscriber.complained'
    end;
begin
    if kind is not null and exists (select 1 from webhook_endpoints where active) then
        perform webhook_enqueue(kind, (
            select jsonb_build_object('subscriberId', s.id, 'email', s.email, 'status', new.to_status, 'previousStatus', new.from_status,
                                      'cause', new.cause, 'editionId', new.edition_id)
            from subscribers s where s.id = new.subscriber_id));
    end if;
    return null;
end $$;
create trigger subscriber_events_webhooks after insert on subscriber_events
    for each row execute function webhook_subscriber_event();

create function webhook_edition_event() returns trigger language plpgsql as $$
declare
    kind text;
begin
    if new.is_test then return null; end if;
    -- Started: when its first deliveries are queued (the transaction that starts it, after the render set the subject).
    if new.state = 'sending' and old.recipients = 0 and new.recipients > 0 then kind := 'edition.started';
    elsif new.state = 'sent' and old.state <> 'sent' then kind := 'edition.sent';
    end if;
    if kind is not null and exists (select 1 from webhook_endpoints where active) then
        perform webhook_enqueue(kind, jsonb_build_object('editionId', new.id, 'subject', new.subject, 'state', new.state,
                                                         'recipients', new.recipients, 'startedAt', new.started_at, 'finishedAt', new.finished_at));
    end if;
    return null;
end $$;
create trigger editions_webhooks after update of state, recipients on editions
    for each row execute function webhook_edition_event();
