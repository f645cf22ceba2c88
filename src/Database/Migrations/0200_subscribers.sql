-- 0200: subscribers area — soft-bounce bookkeeping, SNS subscription confirmations, purge indexes.

-- The edition whose soft bounce was last counted: a second soft bounce for the same edition (a retry, an
-- asynchronous bounce after the relay's) is not counted twice.
alter table subscribers add column last_soft_bounce_edition_id bigint;

-- Amazon SNS SubscriptionConfirmation messages posted to /api/events. This machine does not fetch the
-- SubscribeURL (no outbound network); an operator confirms the subscription by hand from this table.
create table sns_subscriptions (
    id            bigint generated always as identity primary key,
    topic_arn     text        not null,
    subscribe_url text,
    message_id    text,
    received_at   timestamptz not null default now()
);

-- The purge job: old signup attempts, and pending signups that were never confirmed.
create index signup_attempts_at on signup_attempts (at);
create index subscribers_pending_changed on subscribers (status_changed_at) where status = 'pending';
