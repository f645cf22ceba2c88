using System.Net.Sockets;
using Npgsql;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// A job failed for a reason that passes by itself (the database restarting, a dropped connection). Jobs wrap such
/// errors in this type so Hangfire's retry (AutomaticRetry OnlyOn) retries them and nothing else.
/// </summary>
public sealed class TransientJobException(string message, Exception inner) : Exception(message, inner)
{
    public static bool IsTransient(Exception e) => e switch
    {
        NpgsqlException n when n.IsTransient => true,
        TimeoutException or SocketException or IOException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };
}
