namespace Newsletter.Sender.Editions;

/// <summary>DKIM signing; off unless all three are set.</summary>
public sealed class DkimOptions
{
    public const string Section = "Dkim";

    public string? Domain { get; set; }
    public string? Selector { get; set; }
    public string? PrivateKeyFile { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Domain) && !string.IsNullOrWhiteSpace(Selector) && !string.IsNullOrWhiteSpace(PrivateKeyFile);
}
