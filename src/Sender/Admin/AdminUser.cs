using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Admin;

public sealed class AdminUser
{
    [Required] public string Name { get; set; } = "";

    /// <summary>PBKDF2 hash printed by the <c>hash-password</c> command.</summary>
    [Required] public string PasswordHash { get; set; } = "";
}
