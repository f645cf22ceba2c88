namespace Newsletter.Sender.Tests.Infrastructure;

/// <summary>
/// A <see cref="TimeProvider"/> whose monotonic clock (<see cref="GetTimestamp"/>, which the signup rate limiter
/// measures its window on) moves only when the test calls <see cref="Advance"/>; the wall clock and timers are the
/// system's, so the rest of the service runs as usual.
/// </summary>
public sealed class HeldClock : TimeProvider
{
    private long ticks = System.GetTimestamp();

    public override long TimestampFrequency => System.TimestampFrequency;

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, (long)(by.TotalSeconds * TimestampFrequency));
}
