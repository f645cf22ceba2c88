using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Jobs;

/// <summary>Registers the host side of the bounce mailbox.</summary>
public static class BounceMailboxExtensions
{
    /// <summary>The reader runs where sending runs (not in the Web role), and only with a mailbox configured.</summary>
    public static IHostApplicationBuilder AddBounceMailbox(this IHostApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration["Bounces:Imap:Host"]) && ServiceOptions.RoleIn(builder.Configuration) != ServiceRole.Web)
            builder.Services.AddHostedService<BounceMailboxService>();
        return builder;
    }
}
