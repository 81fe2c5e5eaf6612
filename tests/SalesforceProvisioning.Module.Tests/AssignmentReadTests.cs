using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// How a sync reads its users' permission set assignments (issue 14): window by window, one IN query per
    /// 500 users (at least one counted call per window), until the org's assignment count, learnt in a free
    /// slot of the first window's read, shows that reading every assignment once (2,000 a page, five pages a
    /// call) costs no more; a run expected to cover most of the org's users reads them all with its first window. The benchmark's 10,000 users x 3 sets in windows of 2,000 (5 calls against 3 for
    /// the scan), scaled down: 600 users x 3 sets in windows of 100 (6 calls against 1).
    /// </summary>
    [Collection("Process environment")]
    public class AssignmentReadTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-assignments-" + Guid.NewGuid().ToString("N"));

        public AssignmentReadTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
        }

        public void Dispose()
        {
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private const string People =
            "$people = 1..600 | ForEach-Object { [pscustomobject]@{ Username = \"a$_@assignments.example.com\"; LastName = \"A$_\"; Email = \"a$_@assignments.example.com\"; " +
            "PermissionSets = @('Sales_Ops', 'Service_Agent', $(if ($_ % 2) { 'Flow_Builder' } else { 'Reports_Viewer' })) } }; ";

        [Fact]
        public void A_full_resync_reads_the_orgs_assignments_once_instead_of_window_by_window()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name assignments -ConnectionName prod -Profile 'Standard User' -AttributeMap (New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email' }) -StatePath $state").Errors);
            long fixedCost = _emulator.Calls(ps, "@() | Sync-SfUser -Rule assignments -StatePath $state", out _);
            _emulator.Calls(ps, People + "$people | Sync-SfUser -Rule assignments -StatePath $state -BatchSize 100", out string[] created);
            Assert.Equal(600, created.Count(a => a == "Created"));
            Assert.Equal(1_800, _emulator.QueryTotal("SELECT COUNT() FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false AND Assignee.Username LIKE '%@assignments.example.com'"));

            // The org's users in one call (a rule that knows 600 people reads them at once), and the 600 people
            // cover the org's 606 users, so the first window reads every assignment (1,800 and the seed's: one
            // page) for all six windows in one call. Before, every window read its own: 6 calls.
            long full = _emulator.Calls(ps, People + "$people | Sync-SfUser -Rule assignments -StatePath $state -BatchSize 100 -Full", out string[] resynced);
            Assert.Equal(600, resynced.Count(a => a == "Unchanged"));
            Assert.Equal(fixedCost + 1 + 1, full);
        }

        [Fact]
        public void Without_an_expected_size_the_first_window_counts_the_orgs_assignments_and_the_second_reads_them_all()
        {
            using var ps = _emulator.NewSession();
            long fixedCost = _emulator.Calls(ps, "@() | Sync-SfUser", out _);
            _emulator.Calls(ps, People + "$people | Sync-SfUser -Profile 'Standard User' -BatchSize 100", out string[] created);
            Assert.Equal(600, created.Count(a => a == "Created"));

            // No rule, so no expected size: the org's users in one call (as cheap as one window's query by name);
            // the first window's assignments in one call that also counts the org's (one page's worth); the
            // second window reads them all in one call and the four after it read nothing. Before: 6 calls.
            long resync = _emulator.Calls(ps, People + "$people | Sync-SfUser -BatchSize 100", out string[] resynced);
            Assert.Equal(600, resynced.Count(a => a == "Unchanged"));
            Assert.Equal(fixedCost + 1 + 2, resync);
        }
    }
}
