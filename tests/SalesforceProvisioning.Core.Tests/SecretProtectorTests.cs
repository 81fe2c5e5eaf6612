using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    public class SecretProtectorTests
    {
        [Fact]
        public void Pbkdf2_sha256_matches_the_rfc_7914_test_vector()
        {
            byte[] key = SecretProtector.Pbkdf2Sha256(Encoding.ASCII.GetBytes("passwd"), Encoding.ASCII.GetBytes("salt"), 1, 64);
            Assert.Equal("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
                string.Concat(key.Select(b => b.ToString("x2"))));
        }

        [Fact]
        public void Key_file_protection_round_trips_and_detects_tampering()
        {
            string keyPath = Path.Combine(Path.GetTempPath(), "sfprov-key-" + Guid.NewGuid().ToString("N"), "key");
            Assert.Equal("Protection", Assert.Throws<SalesforceConfigurationException>(() => SecretProtector.For(SfSecretProtection.KeyFile, keyPath, null, null)).Parameter);
            var protector = SecretProtector.For(SfSecretProtection.KeyFile, keyPath, null, null, mayCreateKey: true);
            string stored = protector.Protect(SecretText.ToSecureString("refresh-token-value"));
            Assert.DoesNotContain("refresh", stored);
            Assert.Equal("refresh-token-value", SecretText.Reveal(SecretProtector.For(SfSecretProtection.KeyFile, keyPath, null, null).Unprotect(stored)));

            byte[] bytes = Convert.FromBase64String(stored);
            bytes[20] ^= 1;
            Assert.Throws<SalesforceConfigurationException>(() => protector.Unprotect(Convert.ToBase64String(bytes)));
            Assert.Equal("Protection", Assert.Throws<SalesforceConfigurationException>(() => protector.Unprotect("not base64 at all!")).Parameter);
            Directory.Delete(Path.GetDirectoryName(keyPath), true);
        }

        [Fact]
        public void A_wrong_passphrase_is_refused_clearly()
        {
            byte[] salt = Encoding.ASCII.GetBytes("0123456789abcdef");
            string stored = SecretProtector.For(SfSecretProtection.Passphrase, null, SecretText.ToSecureString("right"), salt).Protect(SecretText.ToSecureString("s3cret"));
            var ex = Assert.Throws<SalesforceConfigurationException>(() => SecretProtector.For(SfSecretProtection.Passphrase, null, SecretText.ToSecureString("wrong"), salt).Unprotect(stored));
            Assert.Equal("Passphrase", ex.Parameter);
        }
    }
}
