using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// How a sync reads the org to match its input (issue 14): querying by Username costs one counted call
    /// per window, reading every user costs one call per 10,000 users (five pages of 2,000 in a composite).
    /// A rule knows its last scope size, so a full resync of a scope that is large next to the org reads the
    /// org at once instead of querying window after window first. The same logic as the benchmark's 100,000
    /// users against 100,000 (one call per 2,000-user window against 11 for the scan), scaled down: 600 users
    /// in windows of 100 against an org of about 20,000 users (3 calls for the scan).
    /// </summary>
    [Collection("Process environment")]
    public class MatchingStrategyTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const int Bystanders = 20_000;
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-matching-" + Guid.NewGuid().ToString("N"));

        public MatchingStrategyTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseSeedWithUsers(Bystanders, "bystander", "other.example.com", "bystand");
        }

        public void Dispose()
        {
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        /// <param name="title">A PowerShell expression of $_ (the person's number).</param>
        private static string People(int count, string title = "'Old'") =>
            $"$people = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Username = \"m$_@matching.example.com\"; LastName = \"M$_\"; Email = \"m$_@matching.example.com\"; Title = {title} }} }}; ";

        private PowerShellHost Session()
        {
            var ps = _emulator.NewSession();
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name matching -ConnectionName prod -Profile 'Standard User' -AttributeMap (New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; Title = 'Title' } -Update Title) -StatePath $state");
            Assert.Empty(setup.Errors);
            return ps;
        }

        [Fact]
        public void A_full_resync_of_a_known_scope_reads_the_org_once_instead_of_querying_every_window_first()
        {
            using var ps = Session();
            // What a run costs before it matches anyone: the preflight and the org's describe, profiles and counts.
            long fixedCost = _emulator.Calls(ps, "@() | Sync-SfUser -Rule matching -StatePath $state", out _);
            _emulator.Calls(ps, People(600) + "$people | Sync-SfUser -Rule matching -StatePath $state -BatchSize 100", out string[] created);
            Assert.Equal(600, created.Count(a => a == "Created"));

            // The rule now knows 600 people: six windows of Username queries (6 calls) cost more than reading the
            // org (3 calls), so it reads the org with the first window. Before, it queried three windows by name
            // first (the ski-rental rule, blind to the input size): 2 more calls.
            long full = _emulator.Calls(ps, People(600) + "$people | Sync-SfUser -Rule matching -StatePath $state -BatchSize 100 -Full", out string[] resynced);
            Assert.Equal(600, resynced.Count(a => a == "Unchanged"));
            Assert.Equal(fixedCost + 3, full);
        }

        [Fact]
        public void A_delta_run_with_few_changes_still_queries_by_username()
        {
            using var ps = Session();
            long fixedCost = _emulator.Calls(ps, "@() | Sync-SfUser -Rule matching -StatePath $state", out _);
            _emulator.Calls(ps, People(600) + "$people | Sync-SfUser -Rule matching -StatePath $state -BatchSize 100", out _);

            // Five of the 600 changed: the other 595 are answered from the store, so the scope's size does not
            // make the run read 20,000 users; one Username query and one write.
            long delta = _emulator.Calls(ps, People(600, "$(if ($_ % 120 -eq 0) { 'New' } else { 'Old' })") + "$people | Sync-SfUser -Rule matching -StatePath $state -BatchSize 100", out string[] actions);
            Assert.Equal(5, actions.Count(a => a == "Updated"));
            Assert.Equal(fixedCost + 2, delta);
        }
    }
}
