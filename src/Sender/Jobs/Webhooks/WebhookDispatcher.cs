using Newsletter.Database;
using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StandardWebhooks;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// Delivers the webhook outbox (<c>webhook_deliveries</c>, written by triggers in the transaction of each event) on
/// its own loop, so a slow or dead receiver never holds up a signup or a send. Each row is claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> (several instances share the work), posted signed per Standard Webhooks with a
/// timeout, and on failure retried with doubling delays until <c>Webhooks__GiveUpAfter</c> has passed since the event;
/// then it is marked failed with the last error, which the admin dashboard lists. At least once: a receiver may see
/// an event twice (same <c>webhook-id</c>) if we stop between its answer and our record.
/// </summary>
public sealed class WebhookDispatcher(NpgsqlDataSource db, IHttpClientFactory http, IOptions<WebhooksOptions> options, TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int BatchSize = 50;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var synced = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = 0;
            try
            {
                if (!synced)
                {
                    // With no endpoint configured the mirror is only emptied, so the triggers stop writing rows.
                    await SyncEndpointsAsync(stoppingToken);
                    synced = true;
                    if (o.Endpoints.Count == 0) return;
                }
                worked = await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is out of reach (or a receiver misbehaves in a way we did not foresee): this loop must
                // outlive it, the events wait in the outbox.
                logger.LogWarning("webhook dispatch failed ({Error}); retrying", e.Message);
            }
            if (worked < BatchSize)
                await Task.Delay(o.PollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Mirrors the configured endpoints into <c>webhook_endpoints</c> (the triggers read them); others become inactive.</summary>
    public async Task SyncEndpointsAsync(CancellationToken ct)
    {
        var endpoints = options.Value.Endpoints;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into webhook_endpoints (url, events, active)
            select v.url, string_to_array(v.events, ','), true from unnest(@urls, @events) as v(url, events)
            on conflict (url) do update set events = excluded.events, active = true;
            update webhook_endpoints set active = false where not (url = any(@urls));
            """,
            new { urls = endpoints.Select(e => e.Url).ToArray(), events = endpoints.Select(e => string.Join(',', e.Events)).ToArray() },
            cancellationToken: ct));
    }

    /// <summary>Sends one batch of due deliveries; returns how many were tried.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var secrets = o.Endpoints.GroupBy(e => e.Url, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Secret, StringComparer.Ordinal);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var due = (await connection.QueryAsync<(long Id, string Url, string MessageId, string Payload, int Attempts, DateTime CreatedAt)>(new CommandDefinition(
            """
            select d.id, e.url, d.message_id, d.payload::text, d.attempts, d.created_at
            from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
            where d.state = 'pending' and d.next_attempt_at <= now()
            order by d.next_attempt_at, d.id
            limit @BatchSize
            for update of d skip locked
            """, new { BatchSize }, tx, cancellationToken: ct))).ToList();
        if (due.Count == 0) return 0;
        // The rows stay locked while the batch is posted (in parallel, each with its timeout), so no other instance
        // sends them at the same time.
        var results = await Task.WhenAll(due.Select(d => secrets.TryGetValue(d.Url, out var secret)
            ? PostAsync(d.Url, secret, d.MessageId, d.Payload, ct)
            : Task.FromResult<string?>("endpoint no longer configured")));
        var now = time.GetUtcNow();
        for (var i = 0; i < due.Count; i++)
        {
            var d = due[i];
            var error = results[i];
            var attempts = d.Attempts + 1;
            var age = now - UtcTimes.Of(d.CreatedAt);
            var delay = Backoff(attempts, o.RetryBaseDelay, o.MaxRetryDelay);
            var state = error is null ? "delivered" : age + delay > o.GiveUpAfter ? "failed" : "pending";
            if (state == "failed") logger.LogWarning("webhook {MessageId} to {Url} given up after {Attempts} attempts: {Error}", d.MessageId, d.Url, attempts, error);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                update webhook_deliveries set state = @state, attempts = @attempts, last_attempt_at = @now, last_error = @error,
                       next_attempt_at = @next, delivered_at = case when @state = 'delivered' then @now end
                where id = @id
                """, new { state, attempts, now, error, next = now + delay, id = d.Id }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return due.Count;
    }

    /// <summary>The delay before attempt <paramref name="attempts"/> + 1: the base doubled per attempt, capped.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan baseDelay, TimeSpan max)
        => TimeSpan.FromTicks(Math.Min(max.Ticks, baseDelay.Ticks * (1L << Math.Min(attempts - 1, 20))));

    /// <summary>Posts one event; null when the receiver answered 2xx, else what went wrong.</summary>
    private async Task<string?> PostAsync(string url, string secret, string messageId, string payload, CancellationToken ct)
    {
        try
        {
            var timestamp = time.GetUtcNow();
            var signature = new StandardWebhook(secret).Sign(messageId, timestamp, payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.Add("webhook-id", messageId);
            request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", signature);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (HttpRequestException e)
        {
            return "connection: " + e.Message;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {options.Value.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
        }
    }
}
