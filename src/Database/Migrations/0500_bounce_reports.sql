-- 0500: every bounce and complaint as it came in, whatever its source (an SMTP reply, the bounce mailbox, a
-- provider's webhook), for the admin console: a soft bounce that changes no status leaves no subscriber_events row.
create table bounces (
    id            bigint generated always as identity primary key,
    subscriber_id bigint      not null references subscribers(id) on delete cascade,
    edition_id    bigint      references editions(id) on delete set null,
    at            timestamptz not null default now(),
    kind          text        not null check (kind in ('hard', 'soft', 'complaint')),
    source        text        not null check (source in ('smtp', 'mailbox', 'webhook')),
    detail        text
);
create index bounces_subscriber on bounces (subscriber_id, id);
create index bounces_edition on bounces (edition_id) where edition_id is not null;

-- Reports read from the bounce mailbox, by their Message-ID: written in the transaction that applies the report, so
-- a report read again (moved only after the commit, the move lost to a crash or an IMAP outage) counts once.
create table inbound_reports (
    message_id  text        primary key,
    received_at timestamptz not null default now(),
    outcome     text        not null,
    detail      text
);

-- When each bounce mailbox last answered (one row per mailbox), for /healthz and the dashboard on any instance.
create table inbound_mailboxes (
    name             text        primary key,
    last_answered_at timestamptz,
    last_error       text,
    last_error_at    timestamptz
);
