using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Rule runs whose state store fails under them: a read-only disk, a disk that fills up mid-run, a
    /// secret typed on the command line. Each checks the error, the org (the emulator) and the store.
    /// </summary>
    [Collection("Process environment")]
    public class StateFaultTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _keys = Path.Combine(Path.GetTempPath(), "sfprov-keys-" + Guid.NewGuid().ToString("N"));

        public StateFaultTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose()
        {
            if (Directory.Exists(_keys)) Directory.Delete(_keys, true);
        }

        private static string People(int count) =>
            $"$people = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Username = \"sf$_@state.example.com\"; LastName = \"Sf$_\"; Email = \"sf$_@state.example.com\" }} }}; ";

        private PowerShellHost Session(string state)
        {
            var ps = _emulator.NewSession();
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_keys, "key")}'; $state = '{state}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; $null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state");
            Assert.Empty(setup.Errors);
            return ps;
        }

        private long OrgUsers() => _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE 'sf%@state.example.com'");

        [Fact]
        public void A_read_only_disk_stops_the_run_before_its_first_Salesforce_write()
        {
            using var disk = ScratchMount.TryCreate(4096);
            if (disk == null) return; // needs root to mount (CI runs as root)
            using var ps = Session(Path.Combine(disk.Path, "state.db"));
            disk.ReadOnly();
            var run = ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StatePath $state");
            var error = Assert.Single(run.Errors);
            Assert.StartsWith("StateStoreUnwritable,", error.FullyQualifiedErrorId);
            Assert.Contains(Path.Combine(disk.Path, "state.db"), error.Exception.Message);
            Assert.Empty(run.Output);
            Assert.Equal(0, _emulator.RecordsWritten);
            Assert.Equal(0, OrgUsers());
        }

        [Fact]
        public void An_empty_state_file_stops_the_run_with_a_clear_error_and_is_not_re_initialized()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-empty-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var ps = Session(Path.Combine(folder, "state.db"));
                File.WriteAllBytes(Path.Combine(folder, "state.db"), Array.Empty<byte>());
                var run = ps.Run(People(3) + "$people | Sync-SfUser -Rule hr -StatePath $state");
                var error = Assert.Single(run.Errors);
                Assert.StartsWith("StateStoreDamaged,", error.FullyQualifiedErrorId);
                Assert.Contains("0 bytes", error.Exception.Message);
                Assert.Contains("Restore-SfStateStore", error.ErrorDetails.RecommendedAction);
                Assert.Equal(0, _emulator.RecordsWritten);
                Assert.Equal(0, new FileInfo(Path.Combine(folder, "state.db")).Length);

                // The copy taken before the last run (here: none yet ran) or the store's own command says what to do.
                var status = ps.Run("Get-SfSyncStatus -StatePath $state");
                Assert.StartsWith("StateStoreDamaged,", Assert.Single(status.Errors).FullyQualifiedErrorId);
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void A_damaged_store_is_rolled_back_with_Restore_SfStateStore_and_the_next_run_writes_nothing_twice()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-restore-" + Guid.NewGuid().ToString("N"));
            try
            {
                string state = Path.Combine(folder, "state.db");
                using var ps = Session(state);
                Assert.Empty(ps.Run(People(5) + "$null = $people | Sync-SfUser -Rule hr -StatePath $state").Errors);
                Assert.Empty(ps.Run(People(5) + "$null = $people | Sync-SfUser -Rule hr -StatePath $state").Errors); // its start kept a copy holding the 5
                File.WriteAllText(state, "overwritten by a bad copy job");
                Assert.StartsWith("StateStoreDamaged,", ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StatePath $state").Errors.Single().FullyQualifiedErrorId);

                var restored = ps.Run("Restore-SfStateStore -StatePath $state -Force -Confirm:$false");
                Assert.Empty(restored.Errors);
                Assert.Contains(restored.Warnings, w => w.Contains("state.db.replaced-"));
                long written = _emulator.RecordsWritten;
                var next = ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StatePath $state");
                Assert.Empty(next.Errors);
                Assert.All(next.Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
                Assert.Equal(written, _emulator.RecordsWritten);
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void A_disk_that_fills_up_mid_run_stops_the_writes_and_the_store_never_holds_a_user_the_org_lacks()
        {
            using var disk = ScratchMount.TryCreate(8192);
            if (disk == null) return; // needs root to mount (CI runs as root)
            using var ps = Session(Path.Combine(disk.Path, "state.db"));
            disk.FillLeaving(192 * 1024);
            // Composite writes go out call by call as they fill; -UseBulkApi Auto would hold these 1,500 creates for the end.
            var run = ps.Run(People(1500) + "$script:entered = 0; $people | ForEach-Object { $script:entered++; $_ } | Sync-SfUser -Rule hr -StatePath $state -BatchSize 50 -UseBulkApi Never; $script:entered");
            var error = run.Errors.Last();
            // Every input that reached the command has its result, those whose writes were still carried too.
            int entered = int.Parse(run.Output.Last().ToString());
            var results = run.Output.Take(run.Output.Count - 1).ToList();
            Assert.Equal(Enumerable.Range(0, entered), results.Select(r => int.Parse(r.Prop("InputIndex"))).OrderBy(i => i));
            Assert.All(results.Where(r => r.Prop("Action") != "Created"), r => Assert.Equal("StateStoreUnwritable", r.Prop("ErrorCode")));
            Assert.StartsWith("StateStoreUnwritable,", error.FullyQualifiedErrorId);
            Assert.Contains("disk is full", error.Exception.Message);
            long inOrg = OrgUsers();
            Assert.InRange(inOrg, 50, 1450); // batches were written before the disk filled, and the rest were not

            disk.Free();
            var stored = ps.Run("Get-SfSyncStatus -Rule hr -ByUser -StatePath $state").Output.Select(o => o.Prop("SourceKey")).ToList();
            // The write whose record failed is in the org but not in the store; nothing later was written. Writes are
            // carried across windows into whole calls, so that write is up to one call's 1,000 records, not one window.
            Assert.True(inOrg - stored.Count >= 0 && inOrg - stored.Count <= 1000, $"org {inOrg}, store {stored.Count}");
            foreach (string key in stored.Take(20))
                Assert.Equal(1, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username = '{key}'"));

            var next = ps.Run(People(1500) + "$people | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500");
            Assert.Empty(next.Errors);
            // A run that recorded something before the disk filled is left Running, and the next run says so. (The
            // first write of 1,000 may already meet the full disk: then the store holds nothing of that run.)
            if (stored.Count > 0) Assert.Contains(next.Warnings, w => w.Contains("Interrupted"));
            Assert.Equal(1500, OrgUsers());
            Assert.Equal(1500 - inOrg, next.Output.Count(o => o.Prop("Action") == "Created"));
        }

        [Fact]
        public void Two_runs_on_one_org_at_once_report_each_user_created_exactly_once()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-overlap-" + Guid.NewGuid().ToString("N"));
            try
            {
                // Two rules on two saved connections to the same org, each with its own run lock, started together.
                using var first = Session(Path.Combine(folder, "state.db"));
                using var second = _emulator.NewSession();
                Assert.Empty(second.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_keys, "key")}'; $state = '{Path.Combine(folder, "state.db")}'; " +
                    "Save-SfProvisioningConnection -Name other -Connection $c -StatePath $state; $null = New-SfProvisioningRule -Name contractors -ConnectionName other -Profile 'Standard User' -StatePath $state").Errors);
                // Slow answers, so both runs read the org before either writes.
                _emulator.Post("latency", "{\"ms\":400}");
                ScriptResult a = null, b = null;
                var one = new System.Threading.Thread(() => a = first.Run(People(300) + "$people | Sync-SfUser -Rule hr -StatePath $state"));
                var two = new System.Threading.Thread(() => b = second.Run(People(300) + "$people | Sync-SfUser -Rule contractors -StatePath $state"));
                one.Start(); two.Start(); one.Join(); two.Join();
                _emulator.Post("latency", "{\"ms\":0}");

                Assert.Empty(a.Errors);
                Assert.Empty(b.Errors);
                Assert.Equal(300, OrgUsers());
                var created = a.Output.Concat(b.Output).Where(o => o.Prop("Action") == "Created").Select(o => o.Prop("Username")).ToList();
                Assert.Equal(300, created.Count);
                Assert.Equal(300, created.Distinct(StringComparer.OrdinalIgnoreCase).Count());
                Assert.All(a.Output.Concat(b.Output).Where(o => o.Prop("Action") != "Created"), o => Assert.Equal("Unchanged", o.Prop("Action")));
            }
            finally
            {
                _emulator.Post("latency", "{\"ms\":0}");
                if (Directory.Exists(folder)) Directory.Delete(folder, true);
            }
        }

        [Fact]
        public void The_recorded_command_line_never_holds_a_secret_typed_on_it()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-redact-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var ps = Session(Path.Combine(folder, "state.db"));
                var run = ps.Run(People(1) + "$s = ConvertTo-SecureString 'plain-Secret-4711' -AsPlainText -Force; " +
                    "$people | Sync-SfUser -Rule hr -StatePath $state -Connection (New-SfProvisioningConnection -Domain $c.Domain -ClientId x -ClientSecret (ConvertTo-SecureString \"plain-Secret-4712\" -AsPlainText -Force) -AccessToken:$s) -WhatIf:$false 6>$null | Out-Null; " +
                    "$splat = @{ Rule = 'hr'; StatePath = $state; RefreshToken = 'plain-Secret-4713' }; $people | Sync-SfUser -Rule hr -StatePath $state; " +
                    // The other ways a secret is typed: a colon-bound -String, a piped literal, a NetworkCredential.
                    "$t = ConvertTo-SecureString -String:'plain-Secret-4714' -AsPlainText -Force; $u = 'plain-Secret-4715' | ConvertTo-SecureString -AsPlainText -Force; " +
                    "$v = [Net.NetworkCredential]::new('', 'plain-Secret-4716').SecurePassword; $w = (New-Object System.Net.NetworkCredential 'x', 'plain-Secret-4717').SecurePassword; " +
                    "$people | Sync-SfUser -Rule hr -StatePath $state; " +
                    // Splatted: a hashtable handed to ConvertTo-SecureString, and connection parameters in a hashtable
                    // (literal, added by member or index, or kept in a variable named like a secret).
                    "$p = @{ String = 'plain-Secret-4718'; AsPlainText = $true; Force = $true }; $x = ConvertTo-SecureString @p; " +
                    "$q = @{ AsPlainText = $true; Force = $true }; $q.String = 'plain-Secret-4719'; $y = ConvertTo-SecureString @q; " +
                    "$clientSecret = 'plain-Secret-4720'; " +
                    "$params = @{ Domain = $c.Domain; ClientId = 'x'; ClientSecret = (ConvertTo-SecureString $clientSecret -AsPlainText -Force); RefreshToken = (ConvertTo-SecureString 'plain-Secret-4721' -AsPlainText -Force) }; " +
                    "$params['Password'] = 'plain-Secret-4722'; $params.Remove('Password'); $null = New-SfProvisioningConnection @params -NoDefault; " +
                    // Typed into a variable of any name, then given (directly or through a copy) where a secret goes.
                    "$plain = 'plain-Secret-4723'; $copy = $plain; $z = ConvertTo-SecureString $copy -AsPlainText -Force; $env:SF_PW_VALUE = 'plain-Secret-4724'; " +
                    "$cred = [Net.NetworkCredential]::new('x', $env:SF_PW_VALUE); $piped = \"plain-Secret-4725\"; $zz = $piped | ConvertTo-SecureString -AsPlainText -Force; " +
                    "$people | Sync-SfUser -Rule hr -StatePath $state; Remove-Item Env:SF_PW_VALUE");
                var commands = ps.Run("Get-SfSyncStatus -Rule hr -StatePath $state").Output.Select(o => o.Prop("Command")).ToList();
                Assert.NotEmpty(commands);
                Assert.All(commands, c => Assert.DoesNotContain("plain-Secret", c));
                Assert.Contains(commands, c => c.Contains("<redacted>") && c.Contains("Sync-SfUser -Rule hr"));
                // Only the secrets are masked: the splat's switches and variables stay readable.
                Assert.Contains(commands, c => c.Contains("$p = @{ String = <redacted>; AsPlainText = $true; Force = $true }; $x = ConvertTo-SecureString @p;")
                    && c.Contains("$q.String = <redacted>;") && c.Contains("$clientSecret = <redacted>;") && c.Contains("$params['Password'] = <redacted>;")
                    && c.Contains("$plain = <redacted>; $copy = $plain; $z = ConvertTo-SecureString $copy -AsPlainText -Force;"));
                Assert.DoesNotContain("plain-Secret", File.ReadAllText(Path.Combine(folder, "state.db")));
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, true);
            }
        }

        /// <summary>
        /// A secret set by name rather than assigned: the PostgreSQL store's password in $env:PGPASSWORD (README,
        /// "Several workers, one state") set through [Environment]::SetEnvironmentVariable or Set-Item Env:, and
        /// a variable set with Set-Variable. The name says it is a secret, so the value is masked.
        /// </summary>
        [Fact]
        public void A_secret_set_by_name_with_set_environment_variable_set_item_or_set_variable_is_never_recorded()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-redact-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var ps = Session(Path.Combine(folder, "state.db"));
                var run = ps.Run(People(1) + "[Environment]::SetEnvironmentVariable('SF_TEST_PGPASSWORD', 'plain-Secret-4801', 'Process'); " +
                    "Set-Item Env:SF_TEST_PASSWORD \"plain-Secret-4802\"; Set-Item -Path Env:SF_TEST_PASSWORD -Value 'plain-Secret-4803'; " +
                    "Set-Variable -Name apiSecret -Value 'plain-Secret-4804'; $piece = 'plain-Secret-4805'; Set-Variable clientSecret $piece -Scope Script; " +
                    "$people | Sync-SfUser -Rule hr -StatePath $state; [Environment]::SetEnvironmentVariable('SF_TEST_PGPASSWORD', $null)");
                // (The test host has no provider cmdlets: Set-Item and Set-Variable fail there, but the line is recorded as typed.)
                string command = ps.Run("Get-SfSyncStatus -Rule hr -StatePath $state").Output.Select(o => o.Prop("Command")).Single();
                Assert.DoesNotContain("plain-Secret", command);
                Assert.Contains("[Environment]::SetEnvironmentVariable('SF_TEST_PGPASSWORD', <redacted>, 'Process');", command);
                Assert.Contains("Set-Item -Path Env:SF_TEST_PASSWORD -Value <redacted>;", command);
                Assert.Contains("$piece = <redacted>; Set-Variable clientSecret $piece -Scope Script;", command);
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, true);
            }
        }
    }
}
