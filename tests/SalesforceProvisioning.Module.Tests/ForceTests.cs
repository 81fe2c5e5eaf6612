using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// -Force means no prompt (issue 11 #7). The hosted runspace has no interactive host, like
    /// pwsh -NonInteractive: any prompt (ShouldProcess at ConfirmImpact High, ShouldContinue) fails the command.
    /// -WhatIf with -Force still only previews.
    /// </summary>
    [Collection("Process environment")]
    public class ForceTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-force-" + Guid.NewGuid().ToString("N"));

        public ForceTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose() { if (Directory.Exists(_folder)) Directory.Delete(_folder, true); }

        private const string People = "$people = 1..3 | ForEach-Object { [pscustomobject]@{ Username = \"f$_@force.example.com\"; LastName = \"F$_\"; Email = \"f$_@force.example.com\" } }; ";

        private PowerShellHost RuleSession()
        {
            var ps = _emulator.NewSession("-DeprovisionOnRuleDeletion");
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state; " + People + "$null = $people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Empty(setup.Errors);
            return ps;
        }

        private long ActiveForceUsers => _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@force.example.com' AND IsActive = true");

        [Fact]
        public void Remove_rule_with_force_never_prompts_and_deprovisions()
        {
            using var ps = RuleSession();
            Assert.Equal(3, ActiveForceUsers);
            var removed = ps.Run("Remove-SfProvisioningRule hr -StatePath $state -Force");
            Assert.Empty(removed.Errors);
            Assert.Equal(new[] { "Disabled", "Disabled", "Disabled" }, removed.Output.Select(o => o.Prop("Action")).ToArray());
            Assert.Equal(0, ActiveForceUsers);
            Assert.Empty(ps.Run("Get-SfProvisioningRule -StatePath $state").Output);
        }

        [Fact]
        public void Remove_rule_with_force_and_whatif_only_previews()
        {
            using var ps = RuleSession();
            long written = _emulator.RecordsWritten;
            var preview = ps.Run("Remove-SfProvisioningRule hr -StatePath $state -Force -WhatIf");
            Assert.Empty(preview.Errors);
            Assert.Equal(written, _emulator.RecordsWritten);
            Assert.Single(ps.Run("Get-SfProvisioningRule -StatePath $state").Output);
        }

        [Fact]
        public void Remove_rule_without_force_asks_and_a_host_that_cannot_ask_changes_nothing()
        {
            using var ps = RuleSession();
            var refused = ps.Run("Remove-SfProvisioningRule hr -StatePath $state");
            Assert.NotEmpty(refused.Errors);
            Assert.Equal(3, ActiveForceUsers);
            Assert.Single(ps.Run("Get-SfProvisioningRule -StatePath $state").Output);
        }

        [Fact]
        public void Disable_user_has_force_which_skips_the_high_impact_prompt()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run(People + "$null = $people | Sync-SfUser -Profile 'Standard User'").Errors);

            Assert.NotEmpty(ps.Run("Disable-SfUser 'f1@force.example.com'").Errors); // ConfirmImpact High: it must ask
            long written = _emulator.RecordsWritten;
            var preview = ps.Run("Disable-SfUser 'f1@force.example.com' -Force -WhatIf");
            Assert.Empty(preview.Errors);
            Assert.Equal("True", preview.Output.Single().Prop("WhatIf"));
            Assert.Equal(written, _emulator.RecordsWritten);

            var disabled = ps.Run("'f1@force.example.com', 'f2@force.example.com' | Disable-SfUser -Force");
            Assert.Empty(disabled.Errors);
            Assert.Equal(new[] { "Disabled", "Disabled" }, disabled.Output.Select(o => o.Prop("Action")).ToArray());
            Assert.Equal(1, ActiveForceUsers);
        }

        [Fact]
        public void Sync_group_with_force_deletes_without_asking_and_with_whatif_only_previews()
        {
            using var ps = _emulator.NewSession("-DeleteGroups");
            string state = Path.Combine(_folder, "groups.db");
            ps.Run($"[pscustomobject]@{{ Name = 'Force Gone'; ObjectGUID = 'fg' }} | Sync-SfGroup -StatePath '{state}'");
            var preview = ps.Run($"[pscustomobject]@{{ Name = 'Force Gone'; ObjectGUID = 'fg'; Deleted = $true }} | Sync-SfGroup -StatePath '{state}' -Force -WhatIf");
            Assert.Empty(preview.Errors);
            Assert.Single(_emulator.Query("SELECT Id FROM Group WHERE Name = 'Force Gone'"));
            var deleted = ps.Run($"[pscustomobject]@{{ Name = 'Force Gone'; ObjectGUID = 'fg'; Deleted = $true }} | Sync-SfGroup -StatePath '{state}' -Force");
            Assert.Empty(deleted.Errors);
            Assert.Equal("Deleted", deleted.Output.Single().Prop("Action"));
            Assert.Empty(_emulator.Query("SELECT Id FROM Group WHERE Name = 'Force Gone'"));
        }
    }
}
