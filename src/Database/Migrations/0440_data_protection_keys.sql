-- 0440: the Data Protection key ring, shared by every instance, so admin cookies and antiforgery tokens made by one
-- are accepted by another and survive restarts. Each row is one key's XML (encrypted when a certificate is configured).
create table data_protection_keys (
    id            bigint generated always as identity primary key,
    friendly_name text,
    xml           text        not null,
    created_at    timestamptz not null default now()
);
