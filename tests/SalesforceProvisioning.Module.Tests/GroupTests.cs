using System;
using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Sync-SfGroup and Set-SfGroupMembership through the real engine against the emulator.</summary>
    public class GroupTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const string Users = @"
$null = @(
    @{ Username = 'ann@groups.example.com'; LastName = 'Ann'; Email = 'ann@groups.example.com' }
    @{ Username = 'bob@groups.example.com'; LastName = 'Bob'; Email = 'bob@groups.example.com' }
    @{ Username = ""cat.o'hara@groups.example.com""; LastName = ""O'Hara""; Email = 'cat@groups.example.com' }
    @{ Username = 'gone@groups.example.com'; LastName = 'Gone'; Email = 'gone@groups.example.com'; Enabled = $false }
) | Sync-SfUser -Profile 'Standard User' -Connection (& { $p = $emu | New-SfProvisioningConnection -ProvisionDisabledUsers -NoDefault; $p })
";
        private readonly EmulatorFixture _emulator;
        private readonly string _state = Path.Combine(Path.GetTempPath(), "sfprov-groups-" + Guid.NewGuid().ToString("N"), "state.db");

        public GroupTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose() { if (Directory.Exists(Path.GetDirectoryName(_state))) Directory.Delete(Path.GetDirectoryName(_state), true); }

        private PowerShellHost Session(string connectionArguments = "")
        {
            var ps = _emulator.NewSession(connectionArguments);
            ps.Run(Users + $"$statePath = '{_state}'", new Hashtable { ["emu"] = _emulator.Emulator });
            return ps;
        }

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        [Fact]
        public void Creates_groups_with_members_and_nested_groups_then_a_rerun_writes_nothing()
        {
            using var ps = Session();
            const string groups = @"$groups = @(
    [pscustomobject]@{ Name = 'Engineering'; ObjectGUID = 'g-eng'; Description = 'All engineers'; Members = @('ann@groups.example.com', ""cat.o'hara@groups.example.com"", 'R&D / Zoë''s Team') }
    [pscustomobject]@{ Name = 'R&D / Zoë''s Team'; ObjectGUID = 'g-rnd'; Members = @('bob@groups.example.com') }
); ";
            var first = ps.Run(groups + "$groups | Sync-SfGroup -StatePath $statePath");
            Assert.Empty(first.Errors);
            Assert.Equal(new[] { "Created", "Created" }, Actions(first));
            Assert.Equal("3", first.Output[0].Prop("MembersAdded"));
            var created = _emulator.Query("SELECT Name, DeveloperName FROM Group WHERE Name = 'R&D / Zoë\\'s Team'").Single();
            Assert.Equal("R_D_Zoe_s_Team", created["DeveloperName"].ToString());
            Assert.True(File.Exists(_state));

            long written = _emulator.RecordsWritten;
            var second = ps.Run(groups + "$groups | Sync-SfGroup -StatePath $statePath");
            Assert.Equal(new[] { "Unchanged", "Unchanged" }, Actions(second));
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Fact]
        public void A_renamed_source_group_renames_its_salesforce_group()
        {
            using var ps = Session();
            ps.Run("[pscustomobject]@{ Name = 'Old Name'; ObjectGUID = 'g-1' } | Sync-SfGroup -StatePath $statePath");
            var renamed = ps.Run("[pscustomobject]@{ Name = 'New Name'; ObjectGUID = 'g-1' } | Sync-SfGroup -StatePath $statePath");
            Assert.Equal("Renamed", renamed.Output.Single().Prop("Action"));
            Assert.Equal("Old Name", renamed.Output.Single().Prop("PreviousName"));
            Assert.Empty(_emulator.Query("SELECT Id FROM Group WHERE Name = 'Old Name'"));
            Assert.Single(_emulator.Query("SELECT Id FROM Group WHERE Name = 'New Name'"));
        }

        [Fact]
        public void Deletion_follows_the_connection_toggle_and_the_complete_scope()
        {
            using var ps = Session();
            ps.Run("@([pscustomobject]@{ Name = 'Keep'; ObjectGUID = 'k' }, [pscustomobject]@{ Name = 'Drop'; ObjectGUID = 'd' }, [pscustomobject]@{ Name = 'Leaves'; ObjectGUID = 'l' }) | Sync-SfGroup -StatePath $statePath");

            var off = ps.Run("[pscustomobject]@{ Name = 'Drop'; ObjectGUID = 'd'; Deleted = $true } | Sync-SfGroup -StatePath $statePath");
            Assert.Equal("Skipped", off.Output.Single().Prop("Action"));
            Assert.Contains("-DeleteGroups", off.Output.Single().Prop("Remedy"));

            var on = ps.Run("$d = $emu | New-SfProvisioningConnection -DeleteGroups -NoDefault; " +
                "@([pscustomobject]@{ Name = 'Keep'; ObjectGUID = 'k' }, [pscustomobject]@{ Name = 'Drop'; ObjectGUID = 'd'; Deleted = $true }) | Sync-SfGroup -Connection $d -StatePath $statePath -CompleteScope -Force",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal(new[] { "Unchanged", "Deleted", "Deleted" }, Actions(on));
            Assert.Equal("Leaves", on.Output[2].Prop("Name"));
            Assert.Empty(_emulator.Query("SELECT Id FROM Group WHERE Name IN ('Drop', 'Leaves')"));
            // 'Leaves' is forgotten: bringing it back creates it again rather than finding a deleted group.
            Assert.Equal("Created", ps.Run("[pscustomobject]@{ Name = 'Leaves'; ObjectGUID = 'l' } | Sync-SfGroup -StatePath $statePath").Output.Single().Prop("Action"));
        }

        [Fact]
        public void Set_membership_overwrites_adds_and_removes_with_per_member_errors()
        {
            using var ps = Session();
            ps.Run("[pscustomobject]@{ Name = 'Team'; ObjectGUID = 't'; Members = 'ann@groups.example.com', 'bob@groups.example.com' } | Sync-SfGroup -StatePath $statePath");

            var overwrite = ps.Run("'bob@groups.example.com', \"cat.o'hara@groups.example.com\", 'nobody@groups.example.com', 'gone@groups.example.com' | Set-SfGroupMembership -Group Team");
            var byMember = overwrite.Output.ToDictionary(o => o.Prop("Member"), o => o.Prop("Action"));
            Assert.Equal("Unchanged", byMember["bob@groups.example.com"]);
            Assert.Equal("Added", byMember["cat.o'hara@groups.example.com"]);
            Assert.Equal("Failed", byMember["nobody@groups.example.com"]);
            Assert.Equal("Failed", byMember["gone@groups.example.com"]);
            Assert.Equal("Removed", byMember["ann@groups.example.com"]);
            Assert.Equal(new[] { "UnknownMember,SalesforceProvisioning.Commands.SetSfGroupMembershipCommand", "InactiveMember,SalesforceProvisioning.Commands.SetSfGroupMembershipCommand" },
                overwrite.Errors.Select(e => e.FullyQualifiedErrorId).ToArray());

            var add = ps.Run("Set-SfGroupMembership -Group Team -Member 'ann@groups.example.com' -Add");
            Assert.Equal("Added", add.Output.Single().Prop("Action"));
            var remove = ps.Run("Set-SfGroupMembership -Group Team -Member 'bob@groups.example.com', 'ann@groups.example.com' -Remove");
            Assert.Equal(new[] { "Removed", "Removed" }, Actions(remove));
            Assert.Single(_emulator.Query("SELECT Id FROM GroupMember WHERE Group.Name = 'Team'"));

            long written = _emulator.RecordsWritten;
            var whatIf = ps.Run("Set-SfGroupMembership -Group Team -Member 'ann@groups.example.com' -WhatIf");
            Assert.Equal("True", whatIf.Output.Single(o => o.Prop("Action") == "Added").Prop("WhatIf"));
            Assert.Equal(written, _emulator.RecordsWritten);

            var missing = ps.Run("Set-SfGroupMembership -Group 'No Such Group' -Member 'ann@groups.example.com'");
            Assert.Equal("GroupNotFound,SalesforceProvisioning.Commands.SetSfGroupMembershipCommand", missing.Errors.Single().FullyQualifiedErrorId);
        }

        [Fact]
        public void A_run_stopped_mid_write_claims_nothing_it_could_not_confirm_and_a_rerun_creates_no_duplicate()
        {
            using var ps = Session();
            // The create's answer is lost after it committed, and the read that would confirm it keeps failing.
            _emulator.InjectFaults(new object[]
            {
                new { kind = "DropAfterCommit", count = 1, pathContains = "/composite", bodyContains = "\"Group\"" },
                new { kind = "Http503", count = 50, pathContains = "/query" },
            });
            var stopped = ps.Run("[pscustomobject]@{ Name = 'Halfway'; ObjectGUID = 'h'; Members = 'ann@groups.example.com' } | Sync-SfGroup -StatePath $statePath");
            var result = stopped.Output.Single();
            Assert.Equal("Failed", result.Prop("Action"));
            Assert.Equal("0", result.Prop("MembersAdded"));
            Assert.Contains(stopped.Errors, e => e.FullyQualifiedErrorId.StartsWith("ServerUnavailable,"));

            _emulator.ClearFaults();
            var rerun = ps.Run("[pscustomobject]@{ Name = 'Halfway'; ObjectGUID = 'h'; Members = 'ann@groups.example.com' } | Sync-SfGroup -StatePath $statePath");
            Assert.Empty(rerun.Errors);
            Assert.Single(_emulator.Query("SELECT Id FROM Group WHERE Name = 'Halfway'"));
        }

        [Fact]
        public void Four_hundred_fifty_members_are_written_in_one_counted_call()
        {
            using var ps = Session();
            ps.Run("$null = 1..450 | ForEach-Object { @{ Username = \"m$_@groups.example.com\"; LastName = \"M$_\"; Email = \"m$_@groups.example.com\" } } | Sync-SfUser -Profile 'Standard User'");
            long before = _emulator.ApiCalls;
            var result = ps.Run("[pscustomobject]@{ Name = 'Big'; ObjectGUID = 'big'; Members = @(1..450 | ForEach-Object { \"m$_@groups.example.com\" }) } | Sync-SfGroup -StatePath $statePath");
            Assert.Equal("450", result.Output.Single().Prop("MembersAdded"));
            // scan of groups, one read of the 450 users (two queries, one composite), group create, member create
            Assert.Equal(4, _emulator.ApiCalls - before);
            Assert.Equal(450, _emulator.QueryTotal("SELECT COUNT() FROM GroupMember WHERE Group.Name = 'Big'"));
        }
    }
}
