-- Click tracking (issue 22). Links are rewritten once per edition; each tracked link is a row here, so the redirect
-- answers only with a stored target (no open redirect) and the report needs no scan of deliveries.
create table edition_links (
    edition_id bigint not null references editions(id) on delete cascade,
    link_id    int    not null,                       -- 1.. in order of first appearance in the HTML
    url        text   not null,                       -- the target the redirect answers with
    slug       text,                                  -- the comparison the link belongs to, null for other links
    html_href  text   not null,                       -- the href as written into the stored HTML (the archive puts the target back)
    primary key (edition_id, link_id)
);

-- Counter rows, kept as clicks arrive (one upsert per link per flush), so a report reads a handful of rows whatever
-- the list's size. Machine clicks (scanners, HEAD, fetches right after delivery) are counted apart.
create table edition_link_stats (
    edition_id     bigint not null,
    link_id        int    not null,
    clicks         bigint not null default 0,
    machine_clicks bigint not null default 0,
    unique_clicks  bigint not null default 0,         -- distinct readers, only known in Individual mode
    primary key (edition_id, link_id),
    foreign key (edition_id, link_id) references edition_links (edition_id, link_id) on delete cascade
);

-- Who clicked (Individual mode only): one row per reader and link. Erasing a subscriber deletes their rows; the
-- counters above stay.
create table edition_link_readers (
    edition_id    bigint      not null,
    link_id       int         not null,
    subscriber_id bigint      not null references subscribers(id) on delete cascade,
    first_at      timestamptz not null,
    last_at       timestamptz not null,
    clicks        int         not null default 1,
    primary key (edition_id, link_id, subscriber_id),
    foreign key (edition_id, link_id) references edition_links (edition_id, link_id) on delete cascade
);
create index edition_link_readers_subscriber on edition_link_readers (subscriber_id);

-- Opens (Tracking__Opens = On): one counter row per edition.
create table edition_open_stats (
    edition_id     bigint primary key references editions(id) on delete cascade,
    opens          bigint not null default 0,
    machine_opens  bigint not null default 0
);

-- Which edition a status change came from (an unsubscribe through its link, a bounce of its delivery), so the
-- report counts them with an index instead of reading every event.
alter table subscriber_events add column edition_id bigint;
create index subscriber_events_edition on subscriber_events (edition_id, to_status) where edition_id is not null;
