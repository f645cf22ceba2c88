using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// What the suppression list keeps of an erased address: HMAC-SHA256 under <c>Subscribers__SuppressionKey</c> of the
/// address's SHA-256, so nobody without the key can test a guessed address against the list. Keying the old unsalted
/// SHA-256 (instead of the address) lets rows written before the key existed be converted without the address:
/// <see cref="RekeyLegacyAsync"/> turns every such row into its keyed form. Changing the key orphans every row.
/// </summary>
public sealed class SuppressionHash
{
    private readonly byte[] key;

    public SuppressionHash(string key)
    {
        if (key is null || key.Length < SubscribersOptions.MinSuppressionKeyLength)
            throw new ArgumentException($"the suppression key must be at least {SubscribersOptions.MinSuppressionKeyLength} characters", nameof(key));
        this.key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The keyed hash of a normalised address.</summary>
    public byte[] Of(string normalized) => Rekey(SubscriberService.EmailHash(normalized));

    /// <summary>The keyed form of a row written as the address's plain SHA-256.</summary>
    public byte[] Rekey(byte[] legacySha256) => HMACSHA256.HashData(key, legacySha256);

    /// <summary>
    /// Converts every unkeyed row (written before the key, or by an older instance during a rolling update) to its keyed
    /// form, in batches; returns how many. Safe to run on several instances at once.
    /// </summary>
    public async Task<int> RekeyLegacyAsync(NpgsqlDataSource db, CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<(byte[] Hash, string Reason, DateTime CreatedAt)>(new CommandDefinition(
                "select email_hash, reason, created_at from suppressions where not keyed limit 1000 for update skip locked",
                transaction: tx, cancellationToken: cancellationToken))).ToList();
            if (rows.Count == 0) return total;
            await connection.ExecuteAsync(new CommandDefinition(
                """
                delete from suppressions where email_hash = any(@old) and not keyed;
                insert into suppressions (email_hash, reason, created_at, keyed)
                select h, r, c, true from unnest(@hashes, @reasons, @created) as t(h, r, c)
                on conflict (email_hash) do nothing;
                """,
                new
                {
                    old = rows.Select(r => r.Hash).ToArray(),
                    hashes = rows.Select(r => Rekey(r.Hash)).ToArray(),
                    reasons = rows.Select(r => r.Reason).ToArray(),
                    created = rows.Select(r => DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)).ToArray(),
                }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            total += rows.Count;
        }
    }
}
