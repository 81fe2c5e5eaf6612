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

        private X509Certificate2 RsaCertificateWithKey(string name)
            => new CertificateRequest("CN=" + name, _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        [Fact]
        public void A_thumbprint_is_looked_up_in_the_users_personal_store_first_then_the_machines()
        {
            Assert.Equal(new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine }, JwtCertificate.StoreSearchOrder);
            using var certificate = RsaCertificateWithKey("store-order");
            var asked = new System.Collections.Generic.List<StoreLocation>();
            Func<StoreLocation, X509Certificate2Collection> Stores(StoreLocation? holder, bool userStoreMissing = false) => location =>
            {
                asked.Add(location);
                if (userStoreMissing && location == StoreLocation.CurrentUser) return null;
                var certificates = new X509Certificate2Collection(RsaCertificateWithKey("other-" + location));
                if (location == holder) certificates.Add(new X509Certificate2(certificate));
                return certificates;
            };

            using (var inUserStore = JwtCertificate.FromStore(certificate.Thumbprint, Stores(StoreLocation.CurrentUser)))
                Assert.Equal(certificate.Thumbprint, inUserStore.Thumbprint);
            Assert.Equal(new[] { StoreLocation.CurrentUser }, asked); // found there: the machine's store is not read

            asked.Clear();
            using (var inMachineStore = JwtCertificate.FromStore(certificate.Thumbprint.ToLowerInvariant(), Stores(StoreLocation.LocalMachine)))
                Assert.Equal(certificate.Thumbprint, inMachineStore.Thumbprint);
            Assert.Equal(new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine }, asked);

            asked.Clear();
            using (var noUserStore = JwtCertificate.FromStore(certificate.Thumbprint, Stores(StoreLocation.LocalMachine, userStoreMissing: true)))
                Assert.Equal(certificate.Thumbprint, noUserStore.Thumbprint);

            var nowhere = Assert.Throws<SalesforceConfigurationException>(() => JwtCertificate.FromStore(certificate.Thumbprint, Stores(null)));
            Assert.Equal("CertificateThumbprint", nowhere.Parameter);
            Assert.Contains(@"CurrentUser\My or LocalMachine\My", nowhere.Message);
        }

        [Fact]
        public void The_real_stores_are_read_and_a_platform_without_the_machines_personal_store_only_searches_the_users()
        {
            // On Linux .NET has CurrentUser\My but no LocalMachine\My ("limited to the Root and CertificateAuthority stores"):
            // the lookup must still answer with the not-found error, not a CryptographicException.
            var missing = Assert.Throws<SalesforceConfigurationException>(() => JwtCertificate.FromStore(new string('0', 40)));
            Assert.Equal("CertificateThumbprint", missing.Parameter);
        }

        /// <summary>
        /// The flow signs the assertion "using SHA256 with RSA" (RS256): an ECDSA certificate or key is refused
        /// naming what it is, from a certificate object, a PFX, a SEC1 (BEGIN EC PRIVATE KEY) or a PKCS#8 PEM.
        /// </summary>
        [Fact]
        public void A_key_that_is_not_rsa_is_refused_saying_salesforce_signs_only_with_rsa()
        {
            using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var ecCertificate = new CertificateRequest("CN=ecdsa", ec, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

            var fromObject = Assert.Throws<SalesforceConfigurationException>(() => JwtCertificate.FromCertificate(ecCertificate));
            Assert.Equal("Certificate", fromObject.Parameter);
            Assert.Contains("not an RSA key", fromObject.Message);
            Assert.Contains("only with RSA (RS256)", fromObject.Message);

            string pfx = Path.Combine(_folder, "ec.pfx");
            File.WriteAllBytes(pfx, ecCertificate.Export(X509ContentType.Pfx, "pw"));
            var fromPfx = Assert.Throws<SalesforceConfigurationException>(() => JwtCertificate.FromFile(pfx, SecretText.ToSecureString("pw")));
            Assert.Equal("CertificatePath", fromPfx.Parameter);
            Assert.Contains("not an RSA key", fromPfx.Message);

            foreach (string pem in new[] { ec.ExportECPrivateKeyPem(), ec.ExportPkcs8PrivateKeyPem() + "\n" + ecCertificate.ExportCertificatePem() })
            {
                string path = Path.Combine(_folder, "ec.pem");
                File.WriteAllText(path, pem);
                var fromPem = Assert.Throws<SalesforceConfigurationException>(() => JwtCertificate.FromFile(path, null));
                Assert.Equal("CertificatePath", fromPem.Parameter);
                Assert.Contains("is an EC (ECDSA) key", fromPem.Message);
                Assert.Contains("only with RSA (RS256)", fromPem.Message);
                Assert.Contains("rsa:2048", fromPem.Remedy);
            }
        }

        private static string Decode(string part) => Encoding.UTF8.GetString(Base64Url(part));

        private static byte[] Base64Url(string part)
        {
            string s = part.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
        }
    }
}
