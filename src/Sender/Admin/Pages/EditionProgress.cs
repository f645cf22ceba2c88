using Newsletter.Database;
using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Admin.Pages;

/// <summary>An edition with its delivery counts (pending includes those being sent right now).</summary>
public sealed record EditionProgress(long Id, EditionState State, string? Reason, string? Subject, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, int Recipients, long Sent, long Deferred, long Failed, long Pending, long Skipped)
{
    public long Total => Math.Max(Recipients, Sent + Deferred + Failed + Pending + Skipped);

    /// <summary>Share of deliveries finished (sent, failed or skipped), 0–100; 100 for an edition without recipients that is done.</summary>
    public int Percent => Total == 0 ? (IsDone ? 100 : 0) : (int)Math.Floor(100.0 * (Sent + Failed + Skipped) / Total);

    /// <summary>The state as the database and the badges spell it.</summary>
    public string StateName => DbValue.Of(State);

    /// <summary>The edition is over: nothing of it will be sent any more.</summary>
    public bool IsDone => State is EditionState.Sent or EditionState.Failed or EditionState.Cancelled or EditionState.Skipped;

    /// <summary>Its counts still move.</summary>
    public bool IsLive => State is EditionState.Sending or EditionState.Paused;

    public double Share(long n) => Total == 0 ? 0 : Math.Round(100.0 * n / Total, 2);
}
