using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Counted calls of a group resync (issue 14), the benchmark's 1,000 groups x 100 members scaled down to
    /// 60 groups x 100 members of an org of about 1,000 users, with one member of every group swapped.
    /// The 6,000 memberships are three pages of one query. Before, each page took a call of its own, the
    /// members were read by Username in a call of their own, and the removed members' names in another
    /// (7 calls). Now the group list and the org's user count share one call, the memberships' first page and
    /// every user (one page: fewer than the four Username queries) a second, the two remaining membership
    /// pages a third (chained, their count known from the first page's totalSize), and the 120 writes a fourth;
    /// the removed members are users the input names, so their names are known.
    /// </summary>
    public class GroupCallFloorTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const int PoolSize = 1_000, Groups = 60, MembersPerGroup = 100;
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-groupfloor-" + Guid.NewGuid().ToString("N"));

        public GroupCallFloorTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseSeedWithUsers(PoolSize, "member", "floor.example.com", "member");
        }

        public void Dispose()
        {
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        /// <param name="firstMember">A PowerShell expression of $g (the group's number): its first member's number.</param>
        private static string Sync(string firstMember) =>
            $"$groups = 0..{Groups - 1} | ForEach-Object {{ $g = $_; [pscustomobject]@{{ Name = \"Floor Group $g\"; ObjectGUID = \"floor-$g\"; " +
            $"Members = @(@(\"member$(({firstMember}) % {PoolSize})@floor.example.com\") + (1..{MembersPerGroup - 1} | ForEach-Object {{ \"member$(($g * 7 + $_) % {PoolSize})@floor.example.com\" }})) }} }}; " +
            "$groups | Sync-SfGroup -StatePath $statePath";

        [Fact]
        public void A_resync_with_one_member_of_every_group_swapped_packs_its_membership_pages_and_reads_the_small_org_at_once()
        {
            using var ps = _emulator.NewSession();
            ps.Run($"$statePath = '{Path.Combine(_folder, "state.db")}'");
            var initial = ps.Run(Sync("$g * 7"));
            Assert.Empty(initial.Errors);
            Assert.Equal(Groups, initial.Output.Count(o => o.Prop("Action") == "Created"));

            long before = _emulator.ApiCalls;
            var resync = ps.Run(Sync("$g * 7 + 500"));
            long calls = _emulator.ApiCalls - before;

            Assert.Empty(resync.Errors);
            Assert.Equal(Groups, resync.Output.Count(o => o.Prop("Action") == "Updated"));
            Assert.All(resync.Output, o => Assert.Equal("1", o.Prop("MembersAdded")));
            Assert.All(resync.Output, o => Assert.Equal("1", o.Prop("MembersRemoved")));
            Assert.Equal(Groups * MembersPerGroup, _emulator.QueryTotal("SELECT COUNT() FROM GroupMember WHERE Group.Name LIKE 'Floor Group %'"));
            Assert.Equal(4, calls);
        }
    }
}
