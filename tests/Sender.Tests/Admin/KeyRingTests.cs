using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Admin;

/// <summary>The Data Protection key ring lives in the database, encrypted there when a certificate is configured.</summary>
public sealed class KeyRingTests
{
    [Fact]
    public async Task The_key_ring_is_stored_in_the_database_and_with_a_certificate_its_keys_are_encrypted()
    {
        var pfx = Path.Combine(Path.GetTempPath(), "newsletter-dp-" + Guid.NewGuid().ToString("N") + ".pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=newsletter data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx password"));
        }
        try
        {
            using var plain = await AdminTestSupport.CreateServiceAsync();
            using var encrypted = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?>
            {
                ["DataProtection:CertificateFile"] = pfx,
                ["DataProtection:CertificatePassword"] = "pfx password",
            });
            foreach (var service in new[] { plain, encrypted })
            {
                using var client = await AdminTestSupport.SignedInClientAsync(service);
                using var dashboard = await client.GetAsync("/admin");
                Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            }

            await using var p = await plain.DataSource.OpenConnectionAsync();
            var plainKeys = (await p.QueryAsync<string>("select xml from data_protection_keys")).ToList();
            Assert.Single(plainKeys);
            Assert.Contains("<masterKey", plainKeys[0], StringComparison.Ordinal);
            await using var e = await encrypted.DataSource.OpenConnectionAsync();
            var encryptedKeys = (await e.QueryAsync<string>("select xml from data_protection_keys")).ToList();
            Assert.Single(encryptedKeys);
            Assert.Contains("EncryptedData", encryptedKeys[0], StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", encryptedKeys[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pfx);
        }
    }
}
