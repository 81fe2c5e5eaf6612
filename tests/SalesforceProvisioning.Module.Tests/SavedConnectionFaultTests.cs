using System;
using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Saved connections when their files fail: truncated or hand-damaged JSON, a damaged or deleted key
    /// file, and a rotated refresh token that cannot be written back (a read-only disk).
    /// </summary>
    [Collection("Process environment")]
    public class SavedConnectionFaultTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-savedfault-" + Guid.NewGuid().ToString("N"));
        private readonly string _keyPath;
        private string _store;

        public SavedConnectionFaultTests(EmulatorFixture emulator)
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

        private void SaveTwo()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(Run(ps, "Save-SfProvisioningConnection -Name alpha -Connection $c -StatePath $store; Save-SfProvisioningConnection -Name beta -Connection $c -StatePath $store").Errors);
        }

        [Fact]
        public void A_truncated_file_names_itself_and_the_other_connections_still_open_and_save()
        {
            SaveTwo();
            string text = File.ReadAllText(_store);
            File.WriteAllText(_store, text.Substring(0, text.IndexOf("\"beta\"", StringComparison.Ordinal) + 40)); // cut in the middle of beta

            using var ps = new PowerShellHost();
            var listed = Run(ps, "Get-SfProvisioningConnection -StatePath $store");
            Assert.Equal(new[] { "alpha" }, listed.Output.Select(o => o.Prop("Name")));
            Assert.Contains(listed.Warnings, w => w.Contains(_store) && w.Contains("damaged"));

            var beta = Run(ps, "Get-SfProvisioningConnection beta -StatePath $store");
            Assert.StartsWith("InvalidName,", beta.Errors.Single().FullyQualifiedErrorId);
            Assert.Contains(_store, beta.Errors.Single().Exception.Message);
            Assert.Contains("damaged", beta.Errors.Single().Exception.Message);

            Assert.Equal("True", Run(ps, "$x = Get-SfProvisioningConnection alpha -StatePath $store; (Test-SfConnection -Connection $x).Success").Output.Last().ToString());
            var saved = Run(ps, "Save-SfProvisioningConnection -Name gamma -Connection $x -StatePath $store");
            Assert.Empty(saved.Errors);
            Assert.Contains(saved.Warnings, w => w.Contains("damaged"));
            Assert.Equal(new[] { "alpha", "gamma" }, Run(ps, "Get-SfProvisioningConnection -StatePath $store").Output.Select(o => o.Prop("Name")));
            // What could not be read is kept aside, not lost.
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(_store), "connections.json.damaged-*"));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(_store), "*.tmp"));
        }

        [Fact]
        public void A_hand_damaged_entry_does_not_stop_the_other_connections()
        {
            SaveTwo();
            string text = File.ReadAllText(_store);
            int alpha = text.IndexOf("\"alpha\"", StringComparison.Ordinal);
            int protection = text.IndexOf("\"Protection\": \"KeyFile\"", alpha, StringComparison.Ordinal);
            File.WriteAllText(_store, text.Substring(0, protection) + "\"Protection\": \"Rot13\"" + text.Substring(protection + "\"Protection\": \"KeyFile\"".Length));

            using var ps = new PowerShellHost();
            Assert.Equal("True", Run(ps, "$x = Get-SfProvisioningConnection beta -StatePath $store; (Test-SfConnection -Connection $x).Success").Output.Last().ToString());
            var alphaOpened = Run(ps, "Get-SfProvisioningConnection alpha -StatePath $store");
            Assert.Contains(_store, alphaOpened.Errors.Single().Exception.Message);
        }

        [Fact]
        public void A_key_file_that_is_not_base64_is_the_same_InvalidProtection_error_as_a_wrong_key()
        {
            SaveTwo();
            File.WriteAllText(_keyPath, "this is not base64 at all!!");
            using var ps = new PowerShellHost();
            var opened = Run(ps, "Get-SfProvisioningConnection alpha -StatePath $store");
            Assert.StartsWith("InvalidProtection,", opened.Errors.Single().FullyQualifiedErrorId);
            Assert.Contains(_keyPath, opened.Errors.Single().Exception.Message);

            File.WriteAllText(_keyPath, Convert.ToBase64String(new byte[64]));
            Assert.StartsWith("InvalidProtection,", Run(ps, "Get-SfProvisioningConnection alpha -StatePath $store").Errors.Single().FullyQualifiedErrorId);
        }

        [Fact]
        public void A_deleted_key_file_is_a_clear_error_and_is_not_silently_created_again()
        {
            SaveTwo();
            File.Delete(_keyPath);
            using var ps = _emulator.NewSession();
            var opened = Run(ps, "Get-SfProvisioningConnection alpha -StatePath $store");
            Assert.StartsWith("InvalidProtection,", opened.Errors.Single().FullyQualifiedErrorId);
            Assert.Contains("missing", opened.Errors.Single().Exception.Message);
            var saved = Run(ps, "Save-SfProvisioningConnection -Name gamma -Connection $c -StatePath $store");
            Assert.StartsWith("InvalidProtection,", saved.Errors.Single().FullyQualifiedErrorId);
            Assert.False(File.Exists(_keyPath));
        }

        [Fact]
        public void A_rotated_refresh_token_that_cannot_be_written_back_stops_the_run_and_is_kept_for_the_next()
        {
            using var disk = ScratchMount.TryCreate(1024);
            if (disk == null) return; // needs root to mount (CI runs as root)
            _store = Path.Combine(disk.Path, "connections.json");
            _emulator.Post("rotate-refresh-tokens", "{\"enabled\":true}");
            try
            {
                using (var ps = _emulator.NewSession())
                    Assert.Empty(Run(ps, "Save-SfProvisioningConnection -Name rot -Connection $c -StatePath $store").Errors);
                string before = File.ReadAllText(_store);
                disk.ReadOnly();
                _emulator.Post("expire-access-tokens", "{}");
                long written = _emulator.RecordsWritten;
                using (var ps = new PowerShellHost())
                {
                    var run = Run(ps, "$x = Get-SfProvisioningConnection rot -StatePath $store; [pscustomobject]@{ Username = 'rot@state.example.com'; LastName = 'Rot'; Email = 'rot@state.example.com' } | Sync-SfUser -Connection $x -Profile 'Standard User'");
                    var error = run.Errors.Single();
                    Assert.StartsWith("SavedConnectionUnwritable,", error.FullyQualifiedErrorId);
                    Assert.Contains(_store, error.Exception.Message);
                    Assert.Contains("kept, protected", error.Exception.Message);
                    Assert.Equal(written, _emulator.RecordsWritten);
                }
                Assert.Equal(before, File.ReadAllText(_store));
                string pending = Directory.GetFiles(Path.GetDirectoryName(_keyPath), "rotated-*.json").Single();
                Assert.DoesNotContain("rot@", File.ReadAllText(pending));

                // The next run finds the kept token (the saved one was used up by the rotation) and writes it back.
                disk.Writable();
                _emulator.Post("expire-access-tokens", "{}");
                using (var later = new PowerShellHost())
                    Assert.Equal("True", Run(later, "$x = Get-SfProvisioningConnection rot -StatePath $store; (Test-SfConnection -Connection $x).Success").Output.Last().ToString());
                Assert.False(File.Exists(pending));
                Assert.NotEqual(before, File.ReadAllText(_store));
                _emulator.Post("expire-access-tokens", "{}");
                using (var third = new PowerShellHost())
                    Assert.Equal("True", Run(third, "$x = Get-SfProvisioningConnection rot -StatePath $store; (Test-SfConnection -Connection $x).Success").Output.Last().ToString());
            }
            finally
            {
                _emulator.Post("rotate-refresh-tokens", "{\"enabled\":false}");
            }
        }
    }
}
