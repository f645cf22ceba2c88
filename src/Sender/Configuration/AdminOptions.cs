namespace Newsletter.Sender.Configuration;

/// <summary>Admin console users.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public List<AdminUser> Users { get; set; } = [];
}
