namespace Newsletter.Sender.Hosting;

public enum ServiceRole
{
    /// <summary>HTTP endpoints, scheduler and delivery workers.</summary>
    All,

    /// <summary>HTTP endpoints only.</summary>
    Web,

    /// <summary>Scheduler and delivery workers only.</summary>
    Worker,
}
