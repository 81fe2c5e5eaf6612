using System;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// The JWT bearer assertion and key reading, checked against Salesforce's "OAuth 2.0 JWT Bearer Flow for
    /// Server-to-Server Integration" (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm).
    /// </summary>
    public sealed class JwtBearerTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-jwt-core-" + Guid.NewGuid().ToString("N"));
        private readonly RSA _key = RSA.Create(2048);

        public JwtBearerTests() => Directory.CreateDirectory(_folder);

        public void Dispose()
        {
            _key.Dispose();
            Directory.Delete(_folder, true);
        }

        private string PemKeyFile()
        {
            string path = Path.Combine(_folder, "key.pem");
            File.WriteAllText(path, _key.ExportPkcs8PrivateKeyPem());
            return path;
        }

        private SfConnectionSettings Jwt(string domain = "acme.my.salesforce.com") => new SfConnectionSettings
        {
            Domain = domain, ClientId = "3MVG9jwt", Username = "integration@acme.com", CertificatePath = PemKeyFile(),
        };

        [Theory]
        [InlineData("acme.my.salesforce.com", "https://login.salesforce.com")]
        [InlineData("acme--uat.sandbox.my.salesforce.com", "https://test.salesforce.com")]
        [InlineData("acme--uat.my.salesforce.com", "https://test.salesforce.com")]
        [InlineData("test.salesforce.com", "https://test.salesforce.com")]
        [InlineData("power-dream-1234.scratch.my.salesforce.com", "https://test.salesforce.com")]
        [InlineData("http://127.0.0.1:5000", "https://login.salesforce.com")]
        public void The_audience_follows_the_kind_of_org(string domain, string audience)
            => Assert.Equal(audience, SfProvisioningConnection.Create(Jwt(domain)).Audience);

        [Fact]
        public void The_assertion_has_the_documented_claims_and_an_rs256_signature_by_the_key()
        {
            var connection = SfProvisioningConnection.Create(Jwt());
            var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
            string[] parts = JwtBearerAssertion.Create(connection, now).Split('.');
            Assert.Equal(3, parts.Length);
            Assert.Equal("RS256", JObject.Parse(Decode(parts[0]))["alg"].ToString());
            var claims = JObject.Parse(Decode(parts[1]));
            Assert.Equal("3MVG9jwt", claims["iss"].ToString());
            Assert.Equal("integration@acme.com", claims["sub"].ToString());
            Assert.Equal("https://login.salesforce.com", claims["aud"].ToString());
            long exp = claims["exp"].Value<long>();
            Assert.InRange(exp - now.ToUnixTimeSeconds(), 60, 180); // "within 3 minutes"
            Assert.True(_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        [Fact]
        public void Pkcs1_and_pkcs8_keys_of_any_shape_sign_like_the_original()
        {
            // Enough keys that some have parts with leading zero bytes (the padding DER strips and CNG needs).
            for (int i = 0; i < 12; i++)
            {
                using RSA original = RSA.Create(1024);
                byte[] data = Encoding.ASCII.GetBytes("payload " + i);
                foreach (RSA read in new[] { RsaKeyDer.FromPkcs1(original.ExportRSAPrivateKey()), RsaKeyDer.FromPkcs8(original.ExportPkcs8PrivateKey()) })
                {
                    using (read)
                        Assert.True(original.VerifyData(data, read.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
                }
            }
        }

        [Fact]
        public void A_pem_whose_key_does_not_match_its_certificate_or_is_encrypted_is_refused_naming_the_file()
        {
            using RSA other = RSA.Create(2048);
            using var certificate = new CertificateRequest("CN=other", other, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
            string mixed = Path.Combine(_folder, "mixed.pem");
            File.WriteAllText(mixed, _key.ExportPkcs8PrivateKeyPem() + "\n" + certificate.ExportCertificatePem());
            var settings = Jwt();
            settings.CertificatePath = mixed;
            var error = Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(settings));
            Assert.Equal("CertificatePath", error.Parameter);
            Assert.Contains("does not belong", error.Message);

            string encrypted = Path.Combine(_folder, "encrypted.pem");
            File.WriteAllText(encrypted, _key.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
            settings.CertificatePath = encrypted;
            Assert.Contains("PFX", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(settings)).Message);
        }

        [Fact]
        public void A_certificate_connection_needs_a_client_id_and_a_username_and_no_second_way_to_sign_in()
        {
            var noUser = Jwt();
            noUser.Username = null;
            Assert.Equal("Username", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(noUser)).Parameter);
            var noClient = Jwt();
            noClient.ClientId = null;
            Assert.Equal("ClientId", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(noClient)).Parameter);
            var withSecret = Jwt();
            withSecret.ClientSecret = SecretText.ToSecureString("s");
            Assert.Equal("ClientSecret", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(withSecret)).Parameter);
            var twoSources = Jwt();
            twoSources.CertificateThumbprint = new string('A', 40);
            Assert.Equal("CertificatePath", Assert.Throws<SalesforceConfigurationException>(() => SfProvisioningConnection.Create(twoSources)).Parameter);
        }

        private static string Decode(string part) => Encoding.UTF8.GetString(Base64Url(part));

        private static byte[] Base64Url(string part)
        {
            string s = part.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
        }
    }
}
