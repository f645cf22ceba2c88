-- 0520: two-factor sign-in for admin users (TOTP, RFC 6238). Users live in configuration, so rows are keyed by the
-- configured name. The TOTP key is stored protected with Data Protection (the key ring in data_protection_keys);
-- last_step is the last time step a code was accepted for, so each code works once, on every instance.
create table admin_two_factor (
    user_name      text        primary key,
    secret         text,
    pending_secret text,
    last_step      bigint      not null default 0,
    confirmed_at   timestamptz,
    updated_at     timestamptz not null default now()
);

-- Ten one-time recovery codes per user, as SHA-256 hashes (79 random bits each: nothing to gain from stretching).
create table admin_recovery_codes (
    user_name text        not null references admin_two_factor (user_name) on delete cascade,
    code_hash bytea       not null,
    used_at   timestamptz,
    primary key (user_name, code_hash)
);
