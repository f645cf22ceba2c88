using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Newsletter.Subscribers;

/// <summary>
/// Imports a CSV list of subscribers. Header row required; columns (case-insensitive, any order):
/// <c>email</c> (or <c>address</c>; required), <c>name</c>, <c>consented_at</c> (ISO 8601 date or date-time) and
/// <c>consent_source</c> (where the consent was given) — the last two together are the consent evidence; other
/// columns are ignored. Rows with evidence come in <c>confirmed</c> with a consent row (source <c>import: …</c>); rows
/// without come in <c>pending</c> and are sent a confirmation through the outbox, spread at
/// <see cref="ConfirmationsPerMinute"/>. Existing confirmed and pending rows are left alone (a pending one with
/// evidence is confirmed); unsubscribed, bounced, complained and erased addresses (erased ones through their hash in
/// <c>suppressions</c>) are never re-activated. Invalid rows are reported by line and skipped; the rest goes in one
/// transaction: rows are streamed with binary <c>COPY</c> into a temporary table and merged with set-based SQL.
/// </summary>
public sealed class SubscriberImporter(NpgsqlDataSource db, SubscribersOptions settings, TimeProvider time)
{
    public const int MaxReportedErrors = 1000;
    public const int MaxNameLength = 200;
    public const int MaxSourceLength = 200;
    public const string ConsentVersion = "import";
    private readonly SuppressionHash suppression = new(settings.SuppressionKey);

    /// <summary>Progress lines (the benchmark prints them); null for none.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Confirmation mails for imported pending rows, per minute (their links expire that much later too).</summary>
    public int ConfirmationsPerMinute { get; init; } = Math.Clamp(settings.ImportConfirmationsPerMinute, 1, 100_000);

    public async Task<ImportResult> ImportAsync(Stream csv, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(csv, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return await ImportAsync(text, cancellationToken);
    }

    public async Task<ImportResult> ImportAsync(TextReader text, CancellationToken cancellationToken)
    {
        // Rows an older instance wrote unkeyed must match too (a command-line import starts no hosted services).
        await suppression.RekeyLegacyAsync(db, cancellationToken);
        using var reader = new ImportCsvReader(text);
        var header = reader.Read(out _, out var headerError)
            ?? throw new ImportFormatException("the file is empty: a header row is required (email,name,consented_at,consent_source)");
        if (headerError is not null) throw new ImportFormatException("header row: " + headerError);
        int emailAt = -1, nameAt = -1, consentAt = -1, sourceAt = -1;
        var ignored = new List<string>();
        for (var i = 0; i < header.Count; i++)
        {
            switch (header[i].Trim().Trim('\uFEFF').ToLowerInvariant())
            {
                case "email" or "address" or "email_address" or "email address": emailAt = emailAt < 0 ? i : throw new ImportFormatException("two address columns in the header"); break;
                case "name": nameAt = i; break;
                case "consented_at" or "consent_date" or "consent_at": consentAt = i; break;
                case "consent_source": sourceAt = i; break;
                default: ignored.Add(header[i]); break;
            }
        }
        if (emailAt < 0)
            throw new ImportFormatException("the header row has no 'email' column (columns: email, name, consented_at, consent_source)");

        var phase = System.Diagnostics.Stopwatch.StartNew();
        var now = time.GetUtcNow();
        var errors = new List<ImportError>();
        var invalid = 0;
        var rows = 0;

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // One import at a time; signups run alongside (they meet on the email_key unique index).
        await connection.ExecuteAsync(new CommandDefinition(
            """
            select pg_advisory_xact_lock(hashtextextended('subscriber-import', 0));
            -- Hash joins over a million rows stay in memory.
            set local work_mem = '256MB';
            create temp table import_rows (
                line int not null, email text not null, email_key text not null, name text,
                consented_at timestamptz, consent_source text, email_hash bytea not null, token text, token_hash bytea
            ) on commit drop;
            """, transaction: tx, cancellationToken: cancellationToken));

        void Reject(int line, string message)
        {
            invalid++;
            if (errors.Count < MaxReportedErrors) errors.Add(new ImportError(line, message));
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "copy import_rows (line, email, email_key, name, consented_at, consent_source, email_hash, token, token_hash) from stdin (format binary)",
            cancellationToken))
        {
            var random = new byte[32];
            while (reader.Read(out var line, out var error) is { } fields)
            {
                rows++;
                if (error is not null)
                {
                    Reject(line, error);
                    continue;
                }
                var email = SubscriberService.Normalize(Field(fields, emailAt), out var emailError);
                if (email is null)
                {
                    Reject(line, "email: " + emailError);
                    continue;
                }
                var name = Field(fields, nameAt)?.Trim();
                if (!Clean(name, MaxNameLength, "name", out var nameError))
                {
                    Reject(line, nameError!);
                    continue;
                }
                var consentText = Field(fields, consentAt)?.Trim();
                var source = Field(fields, sourceAt)?.Trim();
                DateTimeOffset? consented = null;
                if (!string.IsNullOrEmpty(consentText) || !string.IsNullOrEmpty(source))
                {
                    if (string.IsNullOrEmpty(consentText) || string.IsNullOrEmpty(source))
                    {
                        Reject(line, "consent evidence needs both consented_at and consent_source (or neither)");
                        continue;
                    }
                    if (!DateTimeOffset.TryParse(consentText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                    {
                        Reject(line, $"consented_at: '{Shorten(consentText)}' is not a date (use ISO 8601, e.g. 2025-03-01 or 2025-03-01T12:00:00Z)");
                        continue;
                    }
                    if (at > now.AddDays(1) || at.Year < 1990)
                    {
                        Reject(line, $"consented_at: {at:yyyy-MM-dd} is not a plausible consent date");
                        continue;
                    }
                    if (!Clean(source, MaxSourceLength, "consent_source", out var sourceError))
                    {
                        Reject(line, sourceError!);
                        continue;
                    }
                    consented = at;
                }
                // Duplicates are found in SQL below: remembering every address here would grow with the file.
                var key = SubscriberService.EmailKey(email);

                copy.StartRow();
                copy.Write(line, NpgsqlDbType.Integer);
                copy.Write(email, NpgsqlDbType.Text);
                copy.Write(key, NpgsqlDbType.Text);
                WriteNullable(copy, string.IsNullOrEmpty(name) ? null : name);
                if (consented is { } c) copy.Write(c.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                else copy.WriteNull();
                WriteNullable(copy, consented is null ? null : source);
                copy.Write(suppression.Of(email), NpgsqlDbType.Bytea);
                if (consented is null)
                {
                    // Without evidence the address gets a double opt-in like a signup: a token in case the row is new.
                    RandomNumberGenerator.Fill(random);
                    var token = Base64Url.Encode(random);
                    copy.Write(token, NpgsqlDbType.Text);
                    copy.Write(ConfirmationToken.Hash(token), NpgsqlDbType.Bytea);
                }
                else
                {
                    copy.WriteNull();
                    copy.WriteNull();
                }
            }
            await copy.CompleteAsync(cancellationToken);
        }

        var parameters = new
        {
            now, version = ConsentVersion, maxSource = SubscriberService.MaxSourceLength,
            perMinute = Math.Max(1, ConfirmationsPerMinute), ttl = settings.ConfirmationTtl,
            tokenProperty = ConfirmationPayload.TokenProperty, expiresAtProperty = ConfirmationPayload.ExpiresAtProperty,
        };
        Log?.Invoke($"parsed and copied {rows:N0} rows in {phase.Elapsed.TotalSeconds:F1} s");

        // An address that appears again is rejected on its later lines, naming the first.
        var duplicates = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            create temp table import_duplicates on commit drop as
            select line, email, first_line from (
                select line, email, min(line) over (partition by email_key) as first_line from import_rows) d
            where line <> first_line;
            delete from import_rows r using import_duplicates d where d.line = r.line;
            select count(*) from import_duplicates;
            """, transaction: tx, commandTimeout: 600, cancellationToken: cancellationToken));
        if (duplicates > 0)
        {
            invalid += (int)duplicates;
            var reported = await connection.QueryAsync<(int Line, string Email, int FirstLine)>(new CommandDefinition(
                "select line, email, first_line from import_duplicates order by line limit @max", new { max = MaxReportedErrors },
                tx, cancellationToken: cancellationToken));
            // The first MaxReportedErrors of both kinds hold the first MaxReportedErrors overall.
            errors = errors.Concat(reported.Select(d => new ImportError(d.Line, $"email: {d.Email} already appears on line {d.FirstLine}")))
                .OrderBy(e => e.Line).Take(MaxReportedErrors).ToList();
        }
        Log?.Invoke($"de-duplicated ({duplicates:N0}) at {phase.Elapsed.TotalSeconds:F1} s");

        // Classify against what exists: rows already there, and erased addresses (hash only); what is left is new.
        await ExecuteAsync(
            """
            analyze import_rows;
            create temp table import_existing on commit drop as
            select r.line, s.id, s.status, r.consented_at, r.consent_source from import_rows r join subscribers s on s.email_key = r.email_key;
            create temp table import_suppressed on commit drop as
            select r.line from import_rows r join suppressions x on x.email_hash = r.email_hash
            where not exists (select 1 from subscribers s where s.email_key = r.email_key);
            delete from import_rows r using import_existing e where e.line = r.line;
            delete from import_rows r using import_suppressed x where x.line = r.line;
            """, "classified");

        // A signup of the same address may commit meanwhile: on conflict that row is theirs and this one is dropped.
        var inserted = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            create temp table import_ids on commit drop as
            with ins as (
                insert into subscribers (email, email_key, name, status, created_at, status_changed_at, confirmed_at)
                select email, email_key, name, case when consented_at is null then 'pending' else 'confirmed' end, @now, @now,
                       case when consented_at is null then null else @now end
                from import_rows
                on conflict (email_key) do nothing
                returning id, email_key)
            select id, email_key from ins;
            select count(*) from import_ids;
            """, parameters, tx, commandTimeout: 600, cancellationToken: cancellationToken));
        Log?.Invoke($"inserted {inserted:N0} subscribers at {phase.Elapsed.TotalSeconds:F1} s");
        await ExecuteAsync(
            """
            create temp table import_plan on commit drop as
            select i.id, r.line, r.email, r.consented_at, r.consent_source, r.token, r.token_hash
            from import_ids i join import_rows r on r.email_key = i.email_key;
            """, "joined back");

        await ExecuteAsync(
            """
            insert into subscriber_events (subscriber_id, at, from_status, to_status, cause, detail)
            select id, @now, null, case when consented_at is null then 'pending' else 'confirmed' end, 'import',
                   case when consented_at is null then 'confirmation sent' else 'with consent evidence' end
            from import_plan;

            insert into consents (subscriber_id, signed_up_at, source, consent_version, confirmed_at)
            select id, consented_at, left('import: ' || consent_source, @maxSource), @version, consented_at
            from import_plan where consented_at is not null;

            -- Pending rows: consent (no evidence yet), a token and a confirmation mail, spread over time.
            create temp table import_pending on commit drop as
            select id, email, token, token_hash,
                   @now + make_interval(mins => ((row_number() over (order by line) - 1) / @perMinute)::int) as send_at
            from import_plan where consented_at is null;

            with c as (
                insert into consents (subscriber_id, signed_up_at, source, consent_version)
                select id, @now, 'import', @version from import_pending
                returning id, subscriber_id)
            insert into confirmation_tokens (token_hash, subscriber_id, consent_id, created_at, expires_at)
            select p.token_hash, p.id, c.id, @now, p.send_at + @ttl
            from import_pending p join c on c.subscriber_id = p.id;

            insert into outbox (kind, subscriber_id, recipient, payload, next_attempt_at, created_at)
            select 'confirmation', id, email, jsonb_build_object(@tokenProperty::text, token, @expiresAtProperty::text, send_at + @ttl), send_at, send_at
            from import_pending;
            """, "events, consents, confirmations");

        // Existing pending rows that now come with evidence are confirmed; every other existing row stays as it is.
        await ExecuteAsync(
            """
            create temp table import_promoted on commit drop as
            select id, consented_at, consent_source from import_existing
            where status = 'pending' and consented_at is not null;

            update subscribers s set status = 'confirmed', status_changed_at = @now, confirmed_at = @now, soft_bounces = 0
            from import_promoted p where s.id = p.id and s.status = 'pending';
            insert into subscriber_events (subscriber_id, at, from_status, to_status, cause, detail)
            select id, @now, 'pending', 'confirmed', 'import', 'with consent evidence' from import_promoted;
            insert into consents (subscriber_id, signed_up_at, source, consent_version, confirmed_at)
            select id, consented_at, left('import: ' || consent_source, @maxSource), @version, consented_at from import_promoted;
            update confirmation_tokens t set revoked_at = @now
            from import_promoted p where t.subscriber_id = p.id and t.used_at is null and t.revoked_at is null;
            delete from outbox o using import_promoted p where o.subscriber_id = p.id and o.kind = 'confirmation' and o.state in ('pending', 'deferred');
            """, "promoted");

        var counts = await connection.QuerySingleAsync<Counts>(new CommandDefinition(
            """
            select
                (select count(*) from import_plan)::int as Created,
                (select count(*) from import_plan where consented_at is not null)::int as CreatedConfirmed,
                (select count(*) from import_plan where consented_at is null)::int as CreatedPending,
                (select count(*) from import_promoted)::int as Promoted,
                (select count(*) from import_existing where status in ('pending', 'confirmed'))::int - (select count(*) from import_promoted)::int
                  + (select count(*) from import_rows)::int - (select count(*) from import_plan)::int as Unchanged,
                ((select count(*) from import_existing where status not in ('pending', 'confirmed'))
                  + (select count(*) from import_suppressed))::int as Suppressed
            """, transaction: tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        Log?.Invoke($"committed in {phase.Elapsed.TotalSeconds:F1} s");
        return new ImportResult(rows, counts.Created, counts.CreatedConfirmed, counts.CreatedPending, counts.Promoted, counts.Unchanged,
            counts.Suppressed, invalid, errors, ignored);

        async Task ExecuteAsync(string sql, string what)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, parameters, tx, commandTimeout: 600, cancellationToken: cancellationToken));
            Log?.Invoke($"{what} at {phase.Elapsed.TotalSeconds:F1} s");
        }
    }

    private sealed record Counts(int Created, int CreatedConfirmed, int CreatedPending, int Promoted, int Unchanged, int Suppressed);

    private static string? Field(List<string> fields, int at) => at >= 0 && at < fields.Count ? fields[at] : null;

    private static bool Clean(string? value, int max, string column, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(value)) return true;
        if (value.Length > max) error = $"{column}: longer than {max} characters";
        else if (value.Contains('\uFFFD')) error = $"{column}: not valid UTF-8";
        else if (value.Any(char.IsControl)) error = $"{column}: contains a control character (line break or tab)";
        return error is null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, NpgsqlDbType.Text);
    }
}
