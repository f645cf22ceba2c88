using System.Security.Cryptography;
using System.Text;

namespace Newsletter.Sender.Admin;

/// <summary>
/// PBKDF2-SHA256 password hashes: <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (base64). The iteration count is part
/// of the hash, so hashes made with fewer iterations keep verifying; <see cref="NeedsRehash"/> tells them apart.
/// </summary>
public static class PasswordHasher
{
    /// <summary>OWASP's current minimum for PBKDF2-HMAC-SHA256.</summary>
    public const int Iterations = 600_000;
    private const string Prefix = "pbkdf2-sha256";

    public static string Hash(string password) => Hash(password, Iterations);

    /// <summary>A hash with a chosen iteration count (tests make old-style hashes with it).</summary>
    public static string Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Prefix}${iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Checks a password in constant time; false for a malformed stored hash.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix || !int.TryParse(parts[1], out var iterations) || iterations < 10_000) return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True for a well-formed hash made with fewer than <see cref="Iterations"/> iterations.</summary>
    public static bool NeedsRehash(string stored)
    {
        var parts = stored.Split('$');
        return parts.Length == 4 && parts[0] == Prefix && int.TryParse(parts[1], out var iterations) && iterations < Iterations;
    }
}
