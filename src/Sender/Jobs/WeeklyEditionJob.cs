using Newsletter.Database;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// The weekly send, a Hangfire recurring job. Its slot is the run's scheduled time (the job parameter "Time" Hangfire
/// sets on every recurring run), and the edition is keyed by that slot, so retries, a second instance or a restart
/// cannot create two editions for one week. A missed run (every instance down) fires at start-up with its own
/// scheduled time (MisfireHandlingMode.Strict); more than <c>Schedule__MaxLateness</c> late, the slot is recorded as
/// skipped ("late") for an admin to send by hand instead of surprising readers on a Tuesday night. A transient
/// failure is retried with backoff (AutomaticRetry, only on <see cref="TransientJobException"/>) until it succeeds or
/// the lateness passes; any other failure is recorded as the slot's skipped edition with the reason and fails the job.
/// </summary>
public sealed class WeeklyEditionJob(EditionService editions, DeliverySignal signal, IOptions<ScheduleOptions> schedule,
    TimeProvider time, ILogger<WeeklyEditionJob> logger)
{
    public const string Id = "weekly-edition";
    private const string LastErrorParameter = "LastError";

    [AutomaticRetry(Attempts = 1000, DelaysInSeconds = [15, 30, 60, 120, 300, 600], OnlyOn = [typeof(TransientJobException)])]
    [JobDisplayName("Weekly edition")]
    public async Task RunAsync(PerformContext? context, CancellationToken cancellationToken)
    {
        var slot = Slot(context, time);
        try
        {
            var late = time.GetUtcNow() - slot;
            if (late > schedule.Value.MaxLateness)
            {
                var lastError = context?.GetJobParameter<string>(LastErrorParameter, allowStale: true);
                var skipped = await editions.RecordLateAsync(slot, late, lastError, cancellationToken);
                logger.LogWarning("weekly edition for {Slot} is {Late} late: recorded as skipped (edition {Id}); send it by hand", slot, late, skipped.Id);
                return;
            }
            var edition = await editions.CreateAndStartAsync(slot, cancellationToken);
            signal.Poke();
            logger.LogInformation("weekly edition for {Slot}: edition {Id} is {State} ({Recipients} recipients)", slot, edition.Id, edition.State, edition.Recipients);
        }
        catch (Exception e) when (TransientJobException.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            // Remembered for the reason of a slot that ends up late; the database may be the thing that is down.
            try { context?.SetJobParameter(LastErrorParameter, e.Message); }
            catch (Exception) { }
            logger.LogWarning("weekly edition for {Slot} failed, will retry: {Error}", slot, e.Message);
            throw new TransientJobException($"the weekly edition for {slot:u} failed and will be retried: {e.Message}", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "weekly edition for {Slot} failed: {Error}", slot, e.Message);
            try { await editions.RecordSkippedAsync(slot, $"failed: {e.Message}", CancellationToken.None); }
            catch (Exception record) { logger.LogError("could not record the failed slot {Slot}: {Error}", slot, record.Message); }
            throw;
        }
    }

    /// <summary>The scheduled time of this run: "Time" (Unix seconds) on recurring runs, the job's creation otherwise.</summary>
    internal static DateTimeOffset Slot(PerformContext? context, TimeProvider time)
    {
        var seconds = context?.GetJobParameter<long?>("Time", allowStale: true);
        if (seconds is { } s) return DateTimeOffset.FromUnixTimeSeconds(s);
        return UtcTimes.Of(context?.BackgroundJob.CreatedAt) ?? time.GetUtcNow();
    }
}
