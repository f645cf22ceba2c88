namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// Missing and bad settings as an operator meets them: the real process, configured by environment variables, ends
/// with one line per setting naming its environment variable and exit code 2, for every command, never a stack trace.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class ConfigurationErrorTests
{
    // No server listens there: these runs must stop before anything connects.
    private const string UnusedDatabase = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=3";

    private static readonly string[] RequiredSettings =
    [
        "ConnectionStrings__Newsletter", "Site__BaseUrl", "Site__ComparisonBaseUrl", "Newsletter__FromAddress",
        "Newsletter__PostalAddress", "Subscribers__UnsubscribeKeys__0", "Subscribers__SuppressionKey", "Smtp__Host",
    ];

    [Theory]
    [InlineData("serve")]
    [InlineData("migrate")]
    [InlineData("import", "/nonexistent/comparisons")]
    [InlineData("import-subscribers", "-")]
    [InlineData("export-subscribers")]
    public async Task With_nothing_set_every_command_names_each_missing_setting_on_its_own_line(params string[] command)
    {
        var (code, output) = await ServiceProcess.RunCommandInCleanEnvironmentAsync(new Dictionary<string, string?>(), command);

        var lines = ErrorLines(code, output);
        Assert.Equal(RequiredSettings.Length, lines.Count);
        foreach (var setting in RequiredSettings)
            Assert.Single(lines, l => l.StartsWith("configuration error: " + setting, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("import-subscribers", "-")]
    public async Task Two_missing_settings_give_two_lines(params string[] command)
    {
        var environment = ServiceProcess.Settings(UnusedDatabase, ServiceProcess.FreePort());
        environment.Remove("Site__BaseUrl");
        environment.Remove("Newsletter__PostalAddress");

        var (code, output) = await ServiceProcess.RunCommandInCleanEnvironmentAsync(environment, command);

        var lines = ErrorLines(code, output);
        Assert.Equal(2, lines.Count);
        Assert.Contains("configuration error: Site__BaseUrl: The BaseUrl field is required.", lines);
        Assert.Single(lines, l => l.StartsWith("configuration error: Newsletter__PostalAddress", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Smtp__Port", "twenty-five", "a whole number")]
    [InlineData("Smtp__Mode", "Carrier-pigeon", "one of Smtp, Pickup")]
    [InlineData("Service__Role", "Everything", "one of All, Web, Worker")]
    [InlineData("Subscribers__SoftBounceLimit", "-7", "between 1 and 100")]
    [InlineData("Newsletter__MaxComparisonsPerEdition", "99", "between 1 and 50")]
    public async Task One_bad_setting_gives_one_line_naming_it(string setting, string value, string expected)
    {
        var environment = ServiceProcess.Settings(UnusedDatabase, ServiceProcess.FreePort());
        environment[setting] = value;

        var (code, output) = await ServiceProcess.RunCommandInCleanEnvironmentAsync(environment, "serve");

        var line = Assert.Single(ErrorLines(code, output));
        Assert.StartsWith("configuration error: " + setting, line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(value, line, StringComparison.Ordinal);
    }

    /// <summary>Exit 2 and nothing but "configuration error:" lines: no exception, no stack trace.</summary>
    private static List<string> ErrorLines(int code, string output)
    {
        Assert.True(code == 2, $"exit {code}:\n{output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Assert.All(lines, l => Assert.StartsWith("configuration error: ", l, StringComparison.Ordinal));
        return lines;
    }
}
