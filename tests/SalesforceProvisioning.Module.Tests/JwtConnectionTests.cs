using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Certificates made for this run only (never committed): the one uploaded to the emulator's connected app,
    /// its key as PFX and PEM files, and an unrelated one (a key the connected app does not know).
    /// </summary>
    public sealed class JwtMaterial : IDisposable
    {
        public JwtMaterial()
        {
            Directory.CreateDirectory(Folder);
            using RSA key = RSA.Create(2048);
            Certificate = new CertificateRequest("CN=sfprov-jwt-tests-" + Guid.NewGuid().ToString("N"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            File.WriteAllText(UploadedCertificatePath, Certificate.ExportCertificatePem());
            File.WriteAllBytes(PfxPath, Certificate.Export(X509ContentType.Pfx, PfxPassword));
            File.WriteAllText(Pkcs8PemPath, key.ExportPkcs8PrivateKeyPem() + "\n" + Certificate.ExportCertificatePem());
            File.WriteAllText(Pkcs1PemPath, key.ExportRSAPrivateKeyPem());

            using RSA other = RSA.Create(2048);
            using var unrelated = new CertificateRequest("CN=sfprov-jwt-tests-unrelated", other, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            File.WriteAllBytes(UnrelatedPfxPath, unrelated.Export(X509ContentType.Pfx, PfxPassword));
            UnrelatedThumbprint = unrelated.Thumbprint;
        }

        public string Folder { get; } = Path.Combine(Path.GetTempPath(), "sfprov-jwt-" + Guid.NewGuid().ToString("N"));
        public X509Certificate2 Certificate { get; }
        public string PfxPassword { get; } = "pfx-" + Guid.NewGuid().ToString("N");
        public string UploadedCertificatePath => Path.Combine(Folder, "connected-app.crt");
        public string PfxPath => Path.Combine(Folder, "integration.pfx");
        public string Pkcs8PemPath => Path.Combine(Folder, "integration.pem");
        public string Pkcs1PemPath => Path.Combine(Folder, "integration-rsa.key");
        public string UnrelatedPfxPath => Path.Combine(Folder, "unrelated.pfx");
        public string UnrelatedThumbprint { get; }

        public void Dispose()
        {
            Certificate.Dispose();
            if (Directory.Exists(Folder)) Directory.Delete(Folder, true);
        }
    }

    /// <summary>An emulator whose connected app has the test certificate uploaded.</summary>
    public sealed class JwtEmulatorFixture : EmulatorFixture
    {
        public JwtEmulatorFixture() : this(new JwtMaterial()) { }

        private JwtEmulatorFixture(JwtMaterial material) : base($"-JwtCertificatePath '{material.UploadedCertificatePath}'") => Material = material;

        public JwtMaterial Material { get; }

        public override void Dispose()
        {
            base.Dispose();
            Material.Dispose();
        }
    }

    /// <summary>
    /// The JWT bearer flow through the real engine, as Salesforce documents it in "OAuth 2.0 JWT Bearer Flow for
    /// Server-to-Server Integration" (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm).
    /// </summary>
    [Collection("Process environment")]
    public class JwtConnectionTests : IClassFixture<JwtEmulatorFixture>
    {
        private readonly JwtEmulatorFixture _emulator;
        private JwtMaterial Material => _emulator.Material;

        public JwtConnectionTests(JwtEmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private ScriptResult Run(PowerShellHost ps, string script) => ps.Run(
            "$pw = [System.Net.NetworkCredential]::new('', $pfxPassword).SecurePassword; " + script,
            new Hashtable { ["emu"] = _emulator.Emulator, ["m"] = Material, ["pfxPassword"] = Material.PfxPassword });

        private const string PfxConnection = "New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $m.PfxPath -CertificatePassword $pw -RetryDelayMilliseconds 10";

        private int TokenRequests() => _emulator.Get("requests")["requests"].AsArray().Count(r => r["path"].ToString() == "/services/oauth2/token");

        [Fact]
        public void A_pfx_with_its_password_signs_in_and_every_new_sign_in_signs_a_new_assertion()
        {
            using var ps = new PowerShellHost();
            var result = Run(ps, $"$c = {PfxConnection}; $c.AuthenticationMethod; $c.Audience; $c.CertificateThumbprint; Test-SfConnection -Connection $c");
            Assert.Empty(result.Errors);
            Assert.Equal("JwtBearer", result.Output[0].ToString());
            Assert.Equal("https://login.salesforce.com", result.Output[1].ToString());
            Assert.Equal(Material.Certificate.Thumbprint, result.Output[2].ToString());
            var test = result.Output[3];
            Assert.Equal("True", test.Prop("Success"));
            Assert.Equal(_emulator.Emulator.Prop("Username"), test.Prop("Username"));
            Assert.Equal(1, TokenRequests());

            // No refresh token: when the access token expires, the connection signs a new assertion.
            _emulator.Post("expire-access-tokens", "{}");
            var again = Run(ps, "(Test-SfConnection -Connection $c).Success; [pscustomobject]@{ Username = 'jwt.user@example.com'; LastName = 'Jwt'; Email = 'jwt.user@example.com' } | Sync-SfUser -Connection $c -Profile 'Standard User'");
            Assert.Empty(again.Errors);
            Assert.Equal("True", again.Output[0].ToString());
            Assert.Equal("Created", again.Output[1].Prop("Action"));
            Assert.Equal(2, TokenRequests());
            Assert.DoesNotContain(Material.PfxPassword, result.AllText() + again.AllText() + string.Join("\n", result.Output[3].Properties.Select(p => p.Value?.ToString())));
        }

        [Theory]
        [InlineData("Pkcs8PemPath")]
        [InlineData("Pkcs1PemPath")]
        public void A_pem_key_file_signs_in(string file)
        {
            using var ps = new PowerShellHost();
            var result = Run(ps, $"$c = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $m.{file} -NoDefault; (Test-SfConnection -Connection $c).Success; $c.CertificateThumbprint");
            Assert.Empty(result.Errors);
            Assert.Equal("True", result.Output[0].ToString());
            // The PKCS#8 file carries its certificate too; the PKCS#1 key file alone has no thumbprint.
            Assert.Equal(file == "Pkcs8PemPath" ? Material.Certificate.Thumbprint : null, result.Output.ElementAtOrDefault(1)?.ToString());
        }

        [Fact]
        public void A_certificate_object_with_its_key_signs_in()
        {
            using var ps = new PowerShellHost();
            var result = Run(ps, "$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($m.PfxPath, $pw); " +
                "$c = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -Certificate $cert -NoDefault; (Test-SfConnection -Connection $c).Success");
            Assert.Empty(result.Errors);
            Assert.Equal("True", result.Output.Single().ToString());
        }

        [Fact]
        public void A_key_whose_certificate_is_not_uploaded_to_the_connected_app_is_named_with_its_thumbprint()
        {
            using var ps = new PowerShellHost();
            var test = Run(ps, "$c = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $m.UnrelatedPfxPath -CertificatePassword $pw -NoDefault; Test-SfConnection -Connection $c").Output.Single();
            Assert.Equal("False", test.Prop("Success"));
            Assert.Equal("JwtCertificateRejected", test.Prop("Failure"));
            Assert.Contains("invalid assertion", test.Prop("Reason"));
            Assert.Contains(Material.UnrelatedThumbprint, test.Prop("Remedy"));
            Assert.Contains("Use digital signatures", test.Prop("Remedy"));
        }

        [Fact]
        public void A_user_not_pre_authorized_for_the_connected_app_is_told_how_to_pre_authorize()
        {
            _emulator.Post("jwt-approval", $"{{\"username\":\"{_emulator.Emulator.Prop("Username")}\",\"approved\":false}}");
            using var ps = new PowerShellHost();
            long before = _emulator.ApiCalls;
            var result = Run(ps, $"$c = {PfxConnection}; Test-SfConnection -Connection $c; [pscustomobject]@{{ Username = 'x@example.com'; LastName = 'X'; Email = 'x@example.com' }} | Sync-SfUser -Connection $c");
            var test = result.Output[0];
            Assert.Equal("JwtUserNotApproved", test.Prop("Failure"));
            Assert.Contains("hasn't approved this consumer", test.Prop("Reason"));
            Assert.Contains("Admin approved users are pre-authorized", test.Prop("Remedy"));
            var error = Assert.Single(result.Errors);
            Assert.Equal("JwtUserNotApproved,SalesforceProvisioning.Commands.SyncSfUserCommand", error.FullyQualifiedErrorId);
            Assert.Equal(before, _emulator.ApiCalls);
        }

        [Fact]
        public void A_sandbox_refuses_the_production_audience_and_accepts_test_salesforce_com()
        {
            _emulator.Post("sandbox", "{\"enabled\":true}");
            using var ps = new PowerShellHost();
            var wrong = Run(ps, $"$c = {PfxConnection} -NoDefault; Test-SfConnection -Connection $c").Output.Single();
            Assert.Equal("JwtAudienceInvalid", wrong.Prop("Failure"));
            Assert.Contains("https://login.salesforce.com", wrong.Prop("Remedy"));
            Assert.Contains("-Audience https://test.salesforce.com", wrong.Prop("Remedy"));

            var right = Run(ps, $"$s = {PfxConnection} -NoDefault -Audience https://test.salesforce.com; (Test-SfConnection -Connection $s).Success");
            Assert.Equal("True", right.Output.Single().ToString());
        }

        [Fact]
        public void A_wrong_pfx_password_or_a_certificate_without_key_stops_at_once_naming_the_parameter()
        {
            using var ps = new PowerShellHost();
            var badPassword = Run(ps, "$bad = [System.Net.NetworkCredential]::new('', 'not-it').SecurePassword; New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $m.PfxPath -CertificatePassword $bad");
            Assert.Equal("InvalidCertificatePassword,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", Assert.Single(badPassword.Errors).FullyQualifiedErrorId);

            var publicOnly = Run(ps, "New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $m.UploadedCertificatePath");
            var error = Assert.Single(publicOnly.Errors);
            Assert.Equal("InvalidCertificatePath,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", error.FullyQualifiedErrorId);
            Assert.Contains("only a certificate", error.ToString());

            var both = Run(ps, "New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $m.PfxPath -CertificatePassword $pw -ClientSecret $emu.ClientSecret");
            Assert.Single(both.Errors);
        }

        /// <summary>The README: "an encrypted PEM key is refused with the `openssl pkcs12 -export` line that turns it into a PFX".</summary>
        [Fact]
        public void An_encrypted_pem_key_is_refused_at_once_with_the_openssl_line_that_makes_a_pfx_of_it()
        {
            using RSA key = RSA.Create(2048);
            string pkcs8 = Path.Combine(Material.Folder, "encrypted.pem");
            File.WriteAllText(pkcs8, key.ExportEncryptedPkcs8PrivateKeyPem("pem-pass", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
            // OpenSSL's traditional form (openssl genrsa -aes256): the encryption is named in the block's headers.
            string traditional = Path.Combine(Material.Folder, "encrypted-rsa.key");
            string body = key.ExportRSAPrivateKeyPem().Replace("-----BEGIN RSA PRIVATE KEY-----\n", "");
            File.WriteAllText(traditional, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\n" + body);
            foreach (string file in new[] { pkcs8, traditional })
            {
                using var ps = new PowerShellHost();
                var result = ps.Run("New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $f",
                    new Hashtable { ["emu"] = _emulator.Emulator, ["f"] = file });
                var error = Assert.Single(result.Errors);
                Assert.Equal("InvalidCertificatePath,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", error.FullyQualifiedErrorId);
                Assert.Contains("is encrypted", error.ErrorDetails.Message);
                Assert.Contains(file, error.ErrorDetails.Message);
                Assert.Contains("openssl pkcs12 -export -inkey key.pem -in cert.pem -out cert.pfx", error.ErrorDetails.RecommendedAction);
            }
            Assert.Equal(0, TokenRequests());
        }

        [Fact]
        public void An_ecdsa_certificate_is_refused_at_once_because_salesforce_signs_only_with_rsa()
        {
            using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var certificate = new CertificateRequest("CN=sfprov-jwt-ecdsa", ec, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            string pfx = Path.Combine(Material.Folder, "ecdsa.pfx");
            File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, Material.PfxPassword));
            using var ps = new PowerShellHost();
            string withPath = $"$ecPfx = '{pfx}'; ";
            var fromFile = Run(ps, withPath + "New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $ecPfx -CertificatePassword $pw");
            var error = Assert.Single(fromFile.Errors);
            Assert.Equal("InvalidCertificatePath,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", error.FullyQualifiedErrorId);
            Assert.Contains("not an RSA key", error.ErrorDetails.Message);
            Assert.Contains("only with RSA (RS256)", error.ErrorDetails.Message);

            var fromObject = Run(ps, withPath + "$ec = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($ecPfx, $pw); New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -Certificate $ec");
            Assert.Equal("InvalidCertificate,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", Assert.Single(fromObject.Errors).FullyQualifiedErrorId);
            Assert.Equal(0, TokenRequests());
        }

        [Fact]
        public void A_thumbprint_finds_the_certificate_in_the_current_users_personal_store()
        {
            // The real CurrentUser\My store (on Linux: .NET's own store under the user's home); removed afterwards.
            using var withKey = new X509Certificate2(Material.PfxPath, Material.PfxPassword, X509KeyStorageFlags.PersistKeySet | X509KeyStorageFlags.Exportable);
            using (var store = new X509Store(StoreName.My, StoreLocation.CurrentUser))
            {
                store.Open(OpenFlags.ReadWrite);
                store.Add(withKey);
            }
            try
            {
                using var ps = new PowerShellHost();
                // Copied from a certificate dialog: lower case, spaces, an invisible left-to-right mark.
                string copied = "\u200e" + string.Join(" ", Enumerable.Range(0, 20).Select(i => withKey.Thumbprint.Substring(i * 2, 2).ToLowerInvariant()));
                var result = ps.Run("$c = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificateThumbprint $t -NoDefault; (Test-SfConnection -Connection $c).Success",
                    new Hashtable { ["emu"] = _emulator.Emulator, ["t"] = copied });
                Assert.Empty(result.Errors);
                Assert.Equal("True", result.Output.Single().ToString());
            }
            finally
            {
                using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
                store.Open(OpenFlags.ReadWrite);
                store.Remove(withKey);
            }
            using var ps2 = new PowerShellHost();
            var missing = ps2.Run("New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificateThumbprint $t",
                new Hashtable { ["emu"] = _emulator.Emulator, ["t"] = withKey.Thumbprint });
            Assert.Equal("InvalidCertificateThumbprint,SalesforceProvisioning.Commands.NewSfProvisioningConnectionCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void A_certificate_that_expires_soon_is_warned_about_when_the_connection_is_made()
        {
            using RSA key = RSA.Create(2048);
            using var soon = new CertificateRequest("CN=sfprov-expiring", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-300), DateTimeOffset.UtcNow.AddDays(10));
            string path = Path.Combine(Material.Folder, "expiring.pem");
            File.WriteAllText(path, soon.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
            using var ps = new PowerShellHost();
            var result = ps.Run("New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -CertificatePath $p -NoDefault",
                new Hashtable { ["emu"] = _emulator.Emulator, ["p"] = path });
            Assert.Empty(result.Errors);
            var warning = Assert.Single(result.Warnings);
            Assert.Contains(soon.Thumbprint, warning);
            Assert.Contains("expires on", warning);
            Assert.Empty(Run(ps, $"$c = {PfxConnection} -NoDefault").Warnings);
        }

        [Fact]
        public void A_pfx_password_saved_as_an_environment_variable_name_opens_from_that_variable()
        {
            string store = Path.Combine(Material.Folder, "env", "connections.json");
            using (var first = new PowerShellHost())
            {
                var missing = Run(first, $"$c = {PfxConnection}; Save-SfProvisioningConnection -Name env -Connection $c -StatePath '{store}' -Protection EnvironmentVariable");
                Assert.Equal("InvalidCertificatePasswordVariable,SalesforceProvisioning.Commands.SaveSfProvisioningConnectionCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
                Assert.Empty(Run(first, $"$c = {PfxConnection}; Save-SfProvisioningConnection -Name env -Connection $c -StatePath '{store}' -Protection EnvironmentVariable -CertificatePasswordVariable SFPROV_TEST_PFX").Errors);
            }
            Assert.DoesNotContain(Material.PfxPassword, File.ReadAllText(store));
            Environment.SetEnvironmentVariable("SFPROV_TEST_PFX", Material.PfxPassword);
            try
            {
                using var second = new PowerShellHost();
                var opened = Run(second, $"$x = Get-SfProvisioningConnection env -StatePath '{store}'; (Test-SfConnection -Connection $x).Success");
                Assert.Empty(opened.Errors);
                Assert.Equal("True", opened.Output.Single().ToString());
            }
            finally
            {
                Environment.SetEnvironmentVariable("SFPROV_TEST_PFX", null);
            }
        }

        [Fact]
        public void A_saved_certificate_connection_keeps_the_path_and_a_protected_password_never_the_key()
        {
            string store = Path.Combine(Material.Folder, "saved", "connections.json");
            string keyPath = Path.Combine(Material.Folder, "config", "connection-key");
            string prelude = $"$env:SFPROVISIONING_KEY_PATH = '{keyPath}'; $store = '{store}'; ";
            using (var first = new PowerShellHost())
            {
                var saved = Run(first, prelude + $"$c = {PfxConnection}; Save-SfProvisioningConnection -Name jobs -Connection $c -StatePath $store");
                Assert.Empty(saved.Errors);
                // A certificate object that no store holds cannot be found again from a reference: refused.
                var inMemory = Run(first, prelude + "$cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($m.PfxPath, $pw); " +
                    "$x = New-SfProvisioningConnection -Domain $emu.Domain -ClientId $emu.ClientId -Username $emu.Username -Certificate $cert -NoDefault; Save-SfProvisioningConnection -Name mem -Connection $x -StatePath $store");
                Assert.Contains("never the private key", Assert.Single(inMemory.Errors).ToString());
            }
            string text = File.ReadAllText(store);
            Assert.Contains(Material.PfxPath.Replace("\\", "\\\\"), text);
            Assert.Contains("JwtBearer", text);
            Assert.DoesNotContain(Material.PfxPassword, text);
            Assert.DoesNotContain("PRIVATE KEY", text);
            Assert.DoesNotContain("\"mem\"", text);

            using var second = new PowerShellHost();
            var opened = Run(second, prelude + "$x = Get-SfProvisioningConnection jobs -StatePath $store; $x.AuthenticationMethod; (Test-SfConnection).Success");
            Assert.Empty(opened.Errors);
            Assert.Equal("JwtBearer", opened.Output[0].ToString());
            Assert.Equal("True", opened.Output[1].ToString());
        }
    }
}
