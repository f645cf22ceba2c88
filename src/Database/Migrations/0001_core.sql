-- 0001: the core schema. Subscribers, consent, tokens, comparisons, editions, deliveries, outbox.
-- Migrations are applied in file-name order by Newsletter.Sender.Data.Migrator under an advisory lock,
-- each in its own transaction, and recorded in schema_migrations.

-- Subscribers -----------------------------------------------------------------------------------
create table subscribers (
    id                bigint generated always as identity primary key,
    email             text        not null,            -- normalised addr-spec: domain lower-cased, IDNA
    email_key         text        not null,            -- lower(email): one subscriber per address
    name              text,
    status            text        not null check (status in ('pending','confirmed','unsubscribed','bounced','complained','erased')),
    created_at        timestamptz not null default now(),
    status_changed_at timestamptz not null default now(),
    confirmed_at      timestamptz,
    soft_bounces      int         not null default 0,  -- consecutive editions that soft-bounced
    constraint subscribers_email_key unique (email_key)
);
create index subscribers_status_id on subscribers (status, id);

-- Consent record: what the reader agreed to, when, from where (GDPR art. 7(1)).
create table consents (
    id              bigint generated always as identity primary key,
    subscriber_id   bigint      not null references subscribers(id) on delete cascade,
    signed_up_at    timestamptz not null default now(),
    ip              inet,
    user_agent      text,
    source          text,                               -- the form or page the signup came from
    consent_version text        not null,               -- version of the consent text shown
    confirmed_at    timestamptz,
    confirmed_ip    inet
);
create index consents_subscriber on consents (subscriber_id, id);

-- Double opt-in tokens, stored only as SHA-256 hashes.
create table confirmation_tokens (
    token_hash    bytea       primary key,
    subscriber_id bigint      not null references subscribers(id) on delete cascade,
    consent_id    bigint      references consents(id) on delete cascade,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null,
    used_at       timestamptz,
    revoked_at    timestamptz
);
create index confirmation_tokens_subscriber on confirmation_tokens (subscriber_id);

-- Every status change with its cause (an SMTP reply, an event, a click).
create table subscriber_events (
    id            bigint generated always as identity primary key,
    subscriber_id bigint      not null references subscribers(id) on delete cascade,
    at            timestamptz not null default now(),
    from_status   text,
    to_status     text        not null,
    cause         text        not null,
    detail        text
);
create index subscriber_events_subscriber on subscriber_events (subscriber_id, id);

-- Signup attempts per address (hashed), for the per-address limit. Counted the same way whatever the
-- address's status, so the limit's answers cannot tell a subscribed address from a new one.
create table signup_attempts (
    email_hash bytea       not null,
    at         timestamptz not null default now()
);
create index signup_attempts_hash_at on signup_attempts (email_hash, at);

-- Erased addresses leave only a hash behind, so an import cannot silently re-add them.
create table suppressions (
    email_hash bytea       primary key,
    reason     text        not null,
    created_at timestamptz not null default now()
);

-- Comparisons -----------------------------------------------------------------------------------
create table comparisons (
    id           bigint generated always as identity primary key,
    slug         text        not null unique,
    title        text        not null,
    url          text,
    published_at timestamptz not null,
    category     text,
    document     jsonb       not null,                 -- the whole Comparison (ComparisonJson shape)
    content_hash bytea       not null,                 -- SHA-256 of the canonical JSON: unchanged upserts are no-ops
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);
create index comparisons_published on comparisons (published_at desc, id);

-- Editions ---------------------------------------------------------------------------------------
create table editions (
    id            bigint generated always as identity primary key,
    slot          timestamptz unique,                  -- schedule slot; null for sends by hand and tests
    state         text        not null check (state in ('draft','scheduled','sending','paused','cancelled','sent','skipped')),
    reason        text,                                -- why skipped / paused / cancelled
    cutoff        timestamptz not null,                -- comparisons published up to here
    subject       text,
    preheader     text,
    html          text,                                -- rendered once, with personal-value slots
    text_body     text,
    slot_prefix   text,                                -- the slot marker syntax used in html/text_body
    slot_suffix   text,
    is_test       boolean     not null default false,
    created_at    timestamptz not null default now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    recipients    int         not null default 0
);
create index editions_state on editions (state, id);

create table edition_comparisons (
    edition_id    bigint not null references editions(id) on delete cascade,
    comparison_id bigint not null references comparisons(id),
    position      int    not null,
    excluded      boolean not null default false,
    primary key (edition_id, comparison_id)
);
create index edition_comparisons_comparison on edition_comparisons (comparison_id);

-- Deliveries: one edition to one subscriber. Claimed with FOR UPDATE SKIP LOCKED.
create table deliveries (
    id              bigint generated always as identity primary key,
    edition_id      bigint      not null references editions(id) on delete cascade,
    subscriber_id   bigint      not null references subscribers(id) on delete cascade,
    state           text        not null default 'pending' check (state in ('pending','sending','sent','deferred','failed','skipped')),
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null default now(),
    claimed_at      timestamptz,
    claimed_by      text,
    last_reply      text,
    last_attempt_at timestamptz,
    sent_at         timestamptz,
    constraint deliveries_once unique (edition_id, subscriber_id)
);
create index deliveries_due on deliveries (next_attempt_at, id) where state in ('pending','deferred');
create index deliveries_edition_state on deliveries (edition_id, state);
create index deliveries_sending on deliveries (claimed_at) where state = 'sending';

-- Outbox: transactional mail, written in the same transaction as the event that causes it.
create table outbox (
    id              bigint generated always as identity primary key,
    kind            text        not null check (kind in ('confirmation','welcome','goodbye','test')),
    subscriber_id   bigint      references subscribers(id) on delete cascade,
    recipient       text        not null,
    payload         jsonb       not null default '{}', -- what the template needs (e.g. the confirm URL); cleared once sent
    state           text        not null default 'pending' check (state in ('pending','sending','sent','deferred','failed')),
    attempts        int         not null default 0,
    next_attempt_at timestamptz not null default now(),
    claimed_at      timestamptz,
    claimed_by      text,
    last_reply      text,
    created_at      timestamptz not null default now(),
    sent_at         timestamptz
);
create index outbox_due on outbox (next_attempt_at, id) where state in ('pending','deferred');
