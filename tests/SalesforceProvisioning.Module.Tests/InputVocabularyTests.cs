using System;
using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// What the source says, read the same way everywhere (issue 11): one yes/no vocabulary for users and
    /// groups (#17), group labels that are not unique (#16), and a complete group scope that never deletes a
    /// group the input names (#8).
    /// </summary>
    public class InputVocabularyTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-vocab-" + Guid.NewGuid().ToString("N"));

        public InputVocabularyTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose() { if (Directory.Exists(_folder)) Directory.Delete(_folder, true); }

        private string State => Path.Combine(_folder, "state.db");

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        private static string Person(string name, string state) => $"[pscustomobject]@{{ Username = '{name}@vocab.example.com'; LastName = '{name}'; Email = '{name}@vocab.example.com'; {state} }}";

        [Fact]
        public void Users_take_every_yes_no_word_in_any_culture_and_a_bad_one_fails_alone()
        {
            using var ps = _emulator.NewSession();
            string[] names = { "ann", "bob", "cem", "dilek", "eda", "fatih" };
            var created = ps.Run("@(" + string.Join(", ", names.Select(n => Person(n, "Enabled = 'TRUE'"))) + ") | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(created.Errors);

            // A Turkish culture on the pipeline thread: 'DISABLED'.ToLower() would be 'dısabled'.
            var result = ps.Run("[System.Threading.Thread]::CurrentThread.CurrentCulture = 'tr-TR'; @(" +
                Person("ann", "Enabled = 'N'") + ", " + Person("bob", "Enabled = 'DISABLED'") + ", " + Person("cem", "Deleted = 'yes'") + ", " +
                Person("dilek", "Deleted = 1") + ", " + Person("eda", "Enabled = 'maybe'") + ", " + Person("fatih", "Enabled = 'On'") + ") | Sync-SfUser");
            Assert.Equal(new[] { "Disabled", "Disabled", "Disabled", "Disabled", "Failed", "Unchanged" }, Actions(result));
            Assert.Equal("InvalidSourceValue", result.Output[4].Prop("ErrorCode"));
            Assert.Contains("yes/no", result.Output[4].Prop("Message"));
            Assert.Single(result.Errors);
            Assert.Equal(4, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@vocab.example.com' AND IsActive = false"));
        }

        [Fact]
        public void Groups_take_the_same_words_for_deleted_and_a_bad_one_fails_alone()
        {
            using var ps = _emulator.NewSession("-DeleteGroups");
            ps.Run($"@('One', 'Two', 'Three', 'Four') | ForEach-Object {{ [pscustomobject]@{{ Name = \"Vocab $_\"; ObjectGUID = \"v-$_\" }} }} | Sync-SfGroup -StatePath '{State}'");
            var result = ps.Run("@([pscustomobject]@{ Name = 'Vocab One'; ObjectGUID = 'v-One'; Deleted = 1 }, [pscustomobject]@{ Name = 'Vocab Two'; ObjectGUID = 'v-Two'; Deleted = 'Yes' }, " +
                $"[pscustomobject]@{{ Name = 'Vocab Three'; ObjectGUID = 'v-Three'; Deleted = 'perhaps' }}, [pscustomobject]@{{ Name = 'Vocab Four'; ObjectGUID = 'v-Four'; Deleted = 'no' }}) | Sync-SfGroup -StatePath '{State}' -Force");
            Assert.Equal(new[] { "Deleted", "Deleted", "Failed", "Unchanged" }, Actions(result));
            Assert.Equal("InvalidSourceValue", result.Output[2].Prop("ErrorCode"));
            Assert.Equal(new[] { "Vocab Four", "Vocab Three" }, _emulator.Query("SELECT Name FROM Group WHERE Name LIKE 'Vocab %' ORDER BY Name").Select(g => g["Name"].ToString()).ToArray());
        }

        [Fact]
        public void A_group_label_two_groups_share_is_refused_and_the_developer_name_is_accepted()
        {
            _emulator.Create("Group", new { Name = "All Sales", DeveloperName = "All_Sales_EMEA", Type = "Regular" });
            using var ps = _emulator.NewSession();
            var result = ps.Run("@(" + Person("gil", "Groups = 'All Sales'") + ", " + Person("hal", "Groups = 'All_Sales_EMEA'") + ", " + Person("ida", "Groups = 'Support Team'") + ") | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Failed", "Created", "Created" }, Actions(result));
            Assert.Equal("AmbiguousGroupName", result.Output[0].Prop("ErrorCode"));
            Assert.Contains("All_Sales_EMEA", result.Output[0].Prop("Message"));
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username = 'gil@vocab.example.com'"));
            Assert.Equal("All_Sales_EMEA", _emulator.Query($"SELECT Group.DeveloperName FROM GroupMember WHERE UserOrGroupId = '{result.Output[1].Prop("SalesforceId")}'").Single()["Group"]["DeveloperName"].ToString());
        }

        [Fact]
        public void A_group_matched_by_name_is_in_the_complete_scope_and_never_deleted()
        {
            using var ps = _emulator.NewSession("-DeleteGroups");
            var first = ps.Run($"@([pscustomobject]@{{ Name = 'Scope Kept'; ObjectGUID = 's-kept' }}, [pscustomobject]@{{ Name = 'Scope Gone'; ObjectGUID = 's-gone' }}) | Sync-SfGroup -StatePath '{State}'");
            Assert.Equal(new[] { "Created", "Created" }, Actions(first));

            // The export lost its ObjectGUID column: 'Scope Kept' is matched by name and stays; 'Scope Gone' left.
            var scoped = ps.Run($"[pscustomobject]@{{ Name = 'Scope Kept' }} | Sync-SfGroup -StatePath '{State}' -CompleteScope -Force");
            Assert.Equal(new[] { "Unchanged", "Deleted" }, Actions(scoped));
            Assert.Equal("Scope Gone", scoped.Output[1].Prop("Name"));
            Assert.Single(_emulator.Query("SELECT Id FROM Group WHERE Name = 'Scope Kept'"));
            Assert.Empty(_emulator.Query("SELECT Id FROM Group WHERE Name = 'Scope Gone'"));
        }
    }
}
