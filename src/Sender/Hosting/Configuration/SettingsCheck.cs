namespace Newsletter.Sender.Hosting;

/// <summary>One options class to resolve (bind and validate) before a command runs; see <see cref="ConfigurationCheck"/>.</summary>
public sealed class SettingsCheck(Action<IServiceProvider> resolve)
{
    public void Resolve(IServiceProvider services) => resolve(services);
}
