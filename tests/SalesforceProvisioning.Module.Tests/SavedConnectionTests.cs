using System;
using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Saved connections: no plaintext secret at rest, every protection, rotation written back.</summary>
    // SFPROVISIONING_KEY_PATH is process-wide: the classes that set it run one after the other.
    [Collection("Process environment")]
    public class SavedConnectionTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-saved-" + Guid.NewGuid().ToString("N"));
        private readonly string _store;
        private readonly string _keyPath;

        public SavedConnectionTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _store = Path.Combine(_folder, "data", "connections.json");
            _keyPath = Path.Combine(_folder, "config", "connection-key");
        }

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private ScriptResult Run(PowerShellHost ps, string script) => ps.Run(
            $"$env:SFPROVISIONING_KEY_PATH = '{_keyPath}'; $store = '{_store}'; " + script, new Hashtable { ["emu"] = _emulator.Emulator });

        private string[] Secrets()
        {
            using var ps = new PowerShellHost();
            return ps.Run("$emu.ClientSecret, $emu.RefreshToken, $emu.AccessToken | ForEach-Object { [System.Net.NetworkCredential]::new('', $_).Password }", new Hashtable { ["emu"] = _emulator.Emulator })
                .Output.Select(o => o.ToString()).ToArray();
        }

        [Fact]
        public void A_saved_connection_opens_in_a_new_runspace_and_no_secret_is_on_disk()
        {
            using (var first = _emulator.NewSession())
                Assert.Empty(Run(first, "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $store").Errors);
            string text = File.ReadAllText(_store);
            foreach (string secret in Secrets()) Assert.DoesNotContain(secret, text);
            Assert.Contains("KeyFile", text);
            Assert.True(File.Exists(_keyPath));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_keyPath));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store));
            }

            using var second = new PowerShellHost();
            var opened = Run(second, "Get-SfProvisioningConnection -StatePath $store; $x = Get-SfProvisioningConnection prod -StatePath $store; (Test-SfConnection).Success; $x.Name");
            Assert.Empty(opened.Errors);
            Assert.Equal("prod", opened.Output[0].Prop("Name"));
            Assert.Equal("True", opened.Output[1].ToString());
            Assert.Equal("prod", opened.Output[2].ToString());

            var again = Run(second, "Save-SfProvisioningConnection -Name prod -StatePath $store");
            Assert.Equal("InvalidName,SalesforceProvisioning.Commands.SaveSfProvisioningConnectionCommand", again.Errors.Single().FullyQualifiedErrorId);
        }

        [Fact]
        public void A_passphrase_protects_the_secrets_and_a_wrong_one_is_refused()
        {
            using var ps = _emulator.NewSession();
            Run(ps, "$p = [System.Net.NetworkCredential]::new('', 'correct horse').SecurePassword; Save-SfProvisioningConnection -Name pp -Connection $c -Protection Passphrase -Passphrase $p -StatePath $store");
            Assert.Equal("InvalidPassphrase", Run(ps, "Get-SfProvisioningConnection pp -StatePath $store").Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
            var wrong = Run(ps, "$w = [System.Net.NetworkCredential]::new('', 'wrong').SecurePassword; Get-SfProvisioningConnection pp -Passphrase $w -StatePath $store");
            Assert.Contains("does not open", wrong.Errors.Single().Exception.Message);
            var right = Run(ps, "$p = [System.Net.NetworkCredential]::new('', 'correct horse').SecurePassword; $x = Get-SfProvisioningConnection pp -Passphrase $p -StatePath $store -NoDefault; (Test-SfConnection -Connection $x).Success");
            Assert.Equal("True", right.Output.Single().ToString());
        }

        [Fact]
        public void Environment_variable_references_keep_only_the_variable_names()
        {
            using var ps = _emulator.NewSession();
            var secrets = Secrets();
            Run(ps, "Save-SfProvisioningConnection -Name env -Connection $c -Protection EnvironmentVariable -ClientSecretVariable SFPROV_TEST_SECRET -RefreshTokenVariable SFPROV_TEST_REFRESH -StatePath $store");
            string text = File.ReadAllText(_store);
            Assert.Contains("SFPROV_TEST_SECRET", text);
            foreach (string secret in secrets) Assert.DoesNotContain(secret, text);

            var missing = Run(ps, "$env:SFPROV_TEST_SECRET = $null; Get-SfProvisioningConnection env -StatePath $store");
            Assert.Contains("SFPROV_TEST_SECRET", missing.Errors.Single().Exception.Message);
            var opened = Run(ps, $"$env:SFPROV_TEST_SECRET = '{secrets[0]}'; $env:SFPROV_TEST_REFRESH = '{secrets[1]}'; $x = Get-SfProvisioningConnection env -StatePath $store -NoDefault; (Test-SfConnection -Connection $x).Success; $env:SFPROV_TEST_SECRET = $null; $env:SFPROV_TEST_REFRESH = $null");
            Assert.Equal("True", opened.Output.Single().ToString());
        }

        [Fact]
        public void A_rotated_refresh_token_is_written_back_to_the_store()
        {
            _emulator.Post("rotate-refresh-tokens", "{\"enabled\":true}");
            try
            {
                using (var ps = _emulator.NewSession())
                {
                    Run(ps, "Save-SfProvisioningConnection -Name rot -Connection $c -StatePath $store");
                    _emulator.Post("expire-access-tokens", "{}");
                    var first = Run(ps, "$x = Get-SfProvisioningConnection rot -StatePath $store; (Test-SfConnection -Connection $x).Success");
                    Assert.Equal("True", first.Output.Single().ToString());
                }
                Assert.Contains("RefreshTokenRotatedAt\": \"20", File.ReadAllText(_store));
                // The token saved first was used up by the rotation; only the written-back one works now.
                _emulator.Post("expire-access-tokens", "{}");
                using var later = new PowerShellHost();
                var second = Run(later, "$x = Get-SfProvisioningConnection rot -StatePath $store; (Test-SfConnection -Connection $x).Success");
                Assert.Equal("True", second.Output.Single().ToString());
            }
            finally
            {
                _emulator.Post("rotate-refresh-tokens", "{\"enabled\":false}");
            }
        }

        /// <summary>
        /// -Protection EnvironmentVariable: the variables cannot be written, so a rotated token is kept beside
        /// the key file, protected, and used while the variable still holds the used-up token it replaced.
        /// </summary>
        [Fact]
        public void A_rotated_refresh_token_of_a_connection_in_environment_variables_is_kept_for_the_next_run()
        {
            var secrets = Secrets();
            string variables = $"$env:SFPROV_ROT_SECRET = '{secrets[0]}'; $env:SFPROV_ROT_REFRESH = '{secrets[1]}'; ";
            const string test = "$x = Get-SfProvisioningConnection envrot -StatePath $store -NoDefault; (Test-SfConnection -Connection $x).Success";
            _emulator.Post("rotate-refresh-tokens", "{\"enabled\":true}");
            try
            {
                using (var ps = _emulator.NewSession())
                    Assert.Empty(Run(ps, "Save-SfProvisioningConnection -Name envrot -Connection $c -Protection EnvironmentVariable -ClientSecretVariable SFPROV_ROT_SECRET -RefreshTokenVariable SFPROV_ROT_REFRESH -StatePath $store").Errors);
                _emulator.Post("expire-access-tokens", "{}");
                using (var first = new PowerShellHost())
                    Assert.Equal("True", Run(first, variables + test).Output.Last().ToString());
                string pending = Directory.GetFiles(Path.GetDirectoryName(_keyPath), "rotated-*.json").Single();
                foreach (string secret in secrets) Assert.DoesNotContain(secret, File.ReadAllText(pending));

                // The variable still holds the used-up token: the kept one signs in, here and after another rotation.
                for (int run = 0; run < 2; run++)
                {
                    _emulator.Post("expire-access-tokens", "{}");
                    using var next = new PowerShellHost();
                    Assert.Equal("True", Run(next, variables + test).Output.Last().ToString());
                }

                // A newly authorized token in the variable wins: the kept one is dropped.
                using (var changed = new PowerShellHost())
                    Run(changed, variables.Replace(secrets[1], "a-newly-authorized-token") + "$null = Get-SfProvisioningConnection envrot -StatePath $store -NoDefault");
                Assert.False(File.Exists(pending));
            }
            finally
            {
                _emulator.Post("rotate-refresh-tokens", "{\"enabled\":false}");
                Environment.SetEnvironmentVariable("SFPROV_ROT_SECRET", null);
                Environment.SetEnvironmentVariable("SFPROV_ROT_REFRESH", null);
            }
        }

        [Fact]
        public void Dpapi_is_refused_off_windows_and_removal_forgets_the_connection()
        {
            using var ps = _emulator.NewSession();
            if (!OperatingSystem.IsWindows())
                Assert.Equal("InvalidProtection", Run(ps, "Save-SfProvisioningConnection -Name d -Connection $c -Protection Dpapi -StatePath $store").Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
            Run(ps, "Save-SfProvisioningConnection -Name gone -Connection $c -StatePath $store");
            Assert.Empty(Run(ps, "Remove-SfProvisioningConnection gone -StatePath $store -Confirm:$false").Errors);
            Assert.Empty(Run(ps, "Get-SfProvisioningConnection -StatePath $store").Output.Where(o => o.Prop("Name") == "gone"));
        }
    }
}
