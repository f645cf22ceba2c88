using Microsoft.Extensions.Options;
using Newsletter.Sender.Hosting;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Editions;

public static class DeliveryExtensions
{
    public static IHostApplicationBuilder AddDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddSingleton<DeliveryShutdown>();
        // A stop waits this long for the messages in flight and their outcomes (Delivery__ShutdownTimeout).
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<DeliveryOptions>>((host, delivery) => host.ShutdownTimeout = delivery.Value.ShutdownTimeout);
        builder.Services.AddSingleton<MessageComposer>();
        builder.Services.AddSingleton<RelayHealth>();
        builder.Services.AddSingleton<SendSlots>();
        builder.Services.AddSingleton<DeliveryClaims>();
        builder.Services.AddSingleton<FailurePolicy>();
        builder.Services.AddSingleton<OutcomeRecorder>();
        builder.Services.AddSingleton<OutboxSender>();
        builder.Services.AddSingleton<EditionSender>();
        builder.Services.AddSingleton<IMailTransport>(sp => sp.GetRequiredService<IOptions<SmtpOptions>>().Value.Mode == SmtpMode.Pickup
            ? ActivatorUtilities.CreateInstance<PickupTransport>(sp)
            : ActivatorUtilities.CreateInstance<SmtpTransport>(sp));
        var role = ServiceOptions.RoleIn(builder.Configuration);
        if (role != ServiceRole.Web) builder.Services.AddHostedService<DeliveryWorker>();
        return builder;
    }

    /// <summary>
    /// What a subscriber's leaving does to the deliveries (the subscriber services call it); the host registers it
    /// with them, and so does a test that runs them without the host.
    /// </summary>
    public static IServiceCollection AddSubscriberDepartures(this IServiceCollection services)
        => services.AddSingleton<ISubscriberDepartures, SubscriberDepartures>();
}
