using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// The lifecycle policy as the seeds' preference tables read: every preference set x every Salesforce
    /// state (rows) x every source state (columns). The README's lifecycle table states the same rules.
    /// </summary>
    public class LifecyclePolicyTests
    {
        // Preferences: the connection's defaults (create, update, disable, deprovision on; Disable Action
        // Disable; disabled users not provisioned) changed by the named toggle.
        // "freeze, remove-disable" is a Communities connection: -DisableAction Freeze, -RemoveAction Disable.
        // Disable-SfUser and Enable-SfUser are the explicit cmdlets' own preferences.
        // Salesforce: "unlinked" is a customer or partner user without its contact (Communities target).
        private const string UserTable = @"
preferences            | salesforce        | enabled        | disabled       | deleted
defaults               | missing           | Create         | Skip           | Skip
defaults               | active            | Update         | Disable        | Disable
defaults               | inactive          | Reactivate     | Unchanged      | Unchanged
defaults               | frozen            | Unfreeze       | Disable        | Disable
defaults               | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
defaults               | guest             | Update         | Disable        | Disable
defaults               | unlinked          | Update         | Disable        | Disable
defaults               | unlinked+inactive | Fail           | Unchanged      | Unchanged
create-off             | missing           | Skip           | Skip           | Skip
create-off             | active            | Update         | Disable        | Disable
create-off             | inactive          | Reactivate     | Unchanged      | Unchanged
create-off             | frozen            | Unfreeze       | Disable        | Disable
create-off             | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
create-off             | guest             | Update         | Disable        | Disable
create-off             | unlinked          | Update         | Disable        | Disable
create-off             | unlinked+inactive | Fail           | Unchanged      | Unchanged
update-off             | missing           | Create         | Skip           | Skip
update-off             | active            | Update         | Disable        | Disable
update-off             | inactive          | Skip           | Unchanged      | Unchanged
update-off             | frozen            | Skip           | Disable        | Disable
update-off             | inactive+frozen   | Skip           | Unchanged      | Unchanged
update-off             | guest             | Update         | Disable        | Disable
update-off             | unlinked          | Update         | Disable        | Disable
update-off             | unlinked+inactive | Fail           | Unchanged      | Unchanged
disable-off            | missing           | Create         | Skip           | Skip
disable-off            | active            | Update         | Skip           | Disable
disable-off            | inactive          | Reactivate     | Unchanged      | Unchanged
disable-off            | frozen            | Unfreeze       | Skip           | Disable
disable-off            | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
disable-off            | guest             | Update         | Skip           | Disable
disable-off            | unlinked          | Update         | Skip           | Disable
disable-off            | unlinked+inactive | Fail           | Unchanged      | Unchanged
deprovision-off        | missing           | Create         | Skip           | Skip
deprovision-off        | active            | Update         | Disable        | Skip
deprovision-off        | inactive          | Reactivate     | Unchanged      | Unchanged
deprovision-off        | frozen            | Unfreeze       | Disable        | Skip
deprovision-off        | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
deprovision-off        | guest             | Update         | Disable        | Skip
deprovision-off        | unlinked          | Update         | Disable        | Skip
deprovision-off        | unlinked+inactive | Fail           | Unchanged      | Unchanged
provision-disabled     | missing           | Create         | CreateInactive | Skip
provision-disabled     | active            | Update         | Disable        | Disable
provision-disabled     | inactive          | Reactivate     | Unchanged      | Unchanged
provision-disabled     | frozen            | Unfreeze       | Disable        | Disable
provision-disabled     | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
provision-disabled     | guest             | Update         | Disable        | Disable
provision-disabled     | unlinked          | Update         | Disable        | Disable
provision-disabled     | unlinked+inactive | Fail           | Unchanged      | Unchanged
freeze                 | missing           | Create         | Skip           | Skip
freeze                 | active            | Update         | Freeze         | Freeze
freeze                 | inactive          | Reactivate     | Unchanged      | Unchanged
freeze                 | frozen            | Unfreeze       | Unchanged      | Unchanged
freeze                 | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
freeze                 | guest             | Update         | Skip           | Skip
freeze                 | unlinked          | Update         | Freeze         | Freeze
freeze                 | unlinked+inactive | Fail           | Unchanged      | Unchanged
freeze, remove-disable | missing           | Create         | Skip           | Skip
freeze, remove-disable | active            | Update         | Freeze         | Disable
freeze, remove-disable | inactive          | Reactivate     | Unchanged      | Unchanged
freeze, remove-disable | frozen            | Unfreeze       | Unchanged      | Disable
freeze, remove-disable | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
freeze, remove-disable | guest             | Update         | Skip           | Disable
freeze, remove-disable | unlinked          | Update         | Freeze         | Disable
freeze, remove-disable | unlinked+inactive | Fail           | Unchanged      | Unchanged
Disable-SfUser         | missing           | Fail           | Fail           | Fail
Disable-SfUser         | active            | Update         | Disable        | Disable
Disable-SfUser         | inactive          | Skip           | Unchanged      | Unchanged
Disable-SfUser         | frozen            | Skip           | Disable        | Disable
Disable-SfUser         | inactive+frozen   | Skip           | Unchanged      | Unchanged
Disable-SfUser         | guest             | Update         | Disable        | Disable
Disable-SfUser         | unlinked          | Update         | Disable        | Disable
Disable-SfUser         | unlinked+inactive | Fail           | Unchanged      | Unchanged
Enable-SfUser          | missing           | Fail           | Fail           | Fail
Enable-SfUser          | active            | Update         | Skip           | Skip
Enable-SfUser          | inactive          | Reactivate     | Unchanged      | Unchanged
Enable-SfUser          | frozen            | Unfreeze       | Skip           | Skip
Enable-SfUser          | inactive+frozen   | Reactivate     | Unchanged      | Unchanged
Enable-SfUser          | guest             | Update         | Skip           | Skip
Enable-SfUser          | unlinked          | Update         | Skip           | Skip
Enable-SfUser          | unlinked+inactive | Fail           | Unchanged      | Unchanged
";

        // Leads and Contacts, for a source whose record type is the connection's (Contact, not stated).
        // "delete" is -AllowDelete -RemoveAction Delete. "converted-lead": the person's lead was converted in
        // Salesforce and its contact exists (that contact is the match).
        private const string PersonTable = @"
preferences     | salesforce     | enabled    | disabled  | deleted
defaults        | missing        | Create     | Skip      | Skip
defaults        | lead-open      | Update     | CloseLead | CloseLead
defaults        | lead-closed    | ReopenLead | Unchanged | Unchanged
defaults        | lead-sales-closed | Update     | Unchanged | Unchanged
defaults        | contact        | Update     | Skip      | Skip
defaults        | converted-lead | Update     | Skip      | Skip
create-off      | missing        | Skip       | Skip      | Skip
create-off      | lead-open      | Update     | CloseLead | CloseLead
create-off      | lead-closed    | ReopenLead | Unchanged | Unchanged
create-off      | lead-sales-closed | Update     | Unchanged | Unchanged
create-off      | contact        | Update     | Skip      | Skip
create-off      | converted-lead | Update     | Skip      | Skip
update-off      | missing        | Create     | Skip      | Skip
update-off      | lead-open      | Update     | CloseLead | CloseLead
update-off      | lead-closed    | Skip       | Unchanged | Unchanged
update-off      | lead-sales-closed | Update     | Unchanged | Unchanged
update-off      | contact        | Update     | Skip      | Skip
update-off      | converted-lead | Update     | Skip      | Skip
disable-off     | missing        | Create     | Skip      | Skip
disable-off     | lead-open      | Update     | Skip      | CloseLead
disable-off     | lead-closed    | ReopenLead | Unchanged | Unchanged
disable-off     | lead-sales-closed | Update     | Unchanged | Unchanged
disable-off     | contact        | Update     | Skip      | Skip
disable-off     | converted-lead | Update     | Skip      | Skip
deprovision-off | missing        | Create     | Skip      | Skip
deprovision-off | lead-open      | Update     | CloseLead | Skip
deprovision-off | lead-closed    | ReopenLead | Unchanged | Unchanged
deprovision-off | lead-sales-closed | Update     | Unchanged | Unchanged
deprovision-off | contact        | Update     | Skip      | Skip
deprovision-off | converted-lead | Update     | Skip      | Skip
delete          | missing        | Create     | Skip      | Skip
delete          | lead-open      | Update     | CloseLead | Delete
delete          | lead-closed    | ReopenLead | Unchanged | Delete
delete          | lead-sales-closed | Update     | Unchanged | Delete
delete          | contact        | Update     | Skip      | Delete
delete          | converted-lead | Update     | Skip      | Delete
";

        // Promotion and demotion, for a person enabled in the source on a connection with default preferences:
        // the record type the source asks for, whether it states it, and what the rule recorded last time.
        private const string RecordTypeTable = @"
asked   | stated | last    | missing | lead-open  | lead-closed | contact | converted-lead
Contact | no     | none    | Create  | Update     | ReopenLead  | Update  | Update
Contact | no     | Contact | Create  | Update     | ReopenLead  | Update  | Update
Contact | no     | Lead    | Create  | Promote    | Promote     | Update  | Update
Contact | yes    | none    | Create  | Promote    | Promote     | Update  | Update
Contact | yes    | Contact | Create  | Update     | ReopenLead  | Update  | Update
Contact | yes    | Lead    | Create  | Promote    | Promote     | Update  | Update
Lead    | no     | none    | Create  | Update     | ReopenLead  | Update  | Update
Lead    | no     | Lead    | Create  | Update     | ReopenLead  | Update  | Update
Lead    | no     | Contact | Create  | Update     | ReopenLead  | Demote  | Demote
Lead    | yes    | none    | Create  | Update     | ReopenLead  | Demote  | Update
Lead    | yes    | Lead    | Create  | Update     | ReopenLead  | Update  | Update
Lead    | yes    | Contact | Create  | Update     | ReopenLead  | Demote  | Demote
";

        private static readonly string[] UserPreferenceSets = { "defaults", "create-off", "update-off", "disable-off", "deprovision-off", "provision-disabled", "freeze", "freeze, remove-disable", "Disable-SfUser", "Enable-SfUser" };
        private static readonly string[] UserStates = { "missing", "active", "inactive", "frozen", "inactive+frozen", "guest", "unlinked", "unlinked+inactive" };
        private static readonly string[] PersonPreferenceSets = { "defaults", "create-off", "update-off", "disable-off", "deprovision-off", "delete" };
        private static readonly string[] PersonStates = { "missing", "lead-open", "lead-closed", "contact", "converted-lead" };
        private static readonly SourceState[] SourceStates = { SourceState.Enabled, SourceState.Disabled, SourceState.Deleted };

        [Theory]
        [InlineData(SfPermissionSetManagement.Merge, false)]
        [InlineData(SfPermissionSetManagement.Overwrite, true)]
        public void Unlisted_access_is_removed_only_under_Overwrite(SfPermissionSetManagement management, bool removes)
            => Assert.Equal(removes, LifecyclePolicy.RemovesUnlistedAccess(management));

        [Fact]
        public void Every_user_preference_set_meets_every_source_state_and_salesforce_state()
        {
            var rows = Rows(UserTable).ToList();
            Assert.Equal(UserPreferenceSets.Length * UserStates.Length, rows.Count);
            var misses = new List<string>();
            foreach (string[] row in rows)
            {
                UserSyncPolicy preferences = Preferences(row[0]);
                UserState user = User(row[1]);
                for (int i = 0; i < SourceStates.Length; i++)
                {
                    LifecycleDecision decision = LifecyclePolicy.ForUser(preferences, SourceStates[i], user);
                    if (decision.Outcome.ToString() != row[2 + i]) misses.Add($"{row[0]} | {row[1]} | {SourceStates[i]}: expected {row[2 + i]}, got {decision.Outcome}");
                    if ((decision.IsSkip || decision.IsFailure) && string.IsNullOrEmpty(decision.Reason)) misses.Add($"{row[0]} | {row[1]} | {SourceStates[i]}: {decision.Outcome} without a reason");
                }
            }
            Assert.Empty(misses);
            AssertCovers(rows, UserPreferenceSets, UserStates);
        }

        [Fact]
        public void Every_person_preference_set_meets_every_source_state_and_salesforce_state()
        {
            var rows = Rows(PersonTable).ToList();
            var misses = new List<string>();
            foreach (string[] row in rows)
            {
                UserSyncPolicy preferences = Preferences(row[0]);
                PersonRecordState record = Person(row[1]);
                for (int i = 0; i < SourceStates.Length; i++)
                {
                    LifecycleDecision decision = LifecyclePolicy.ForPerson(preferences, SourceStates[i], SfRecordType.Contact, typeStated: false, lastKnown: null, record);
                    if (decision.Outcome.ToString() != row[2 + i]) misses.Add($"{row[0]} | {row[1]} | {SourceStates[i]}: expected {row[2 + i]}, got {decision.Outcome}");
                    if (decision.IsSkip && string.IsNullOrEmpty(decision.Reason)) misses.Add($"{row[0]} | {row[1]} | {SourceStates[i]}: skipped without a reason");
                }
            }
            Assert.Empty(misses);
            AssertCovers(rows, PersonPreferenceSets, PersonStates);
        }

        [Fact]
        public void Promotion_and_demotion_follow_a_change_of_the_sources_record_type_never_a_conversion_in_salesforce()
        {
            var rows = Rows(RecordTypeTable).ToList();
            Assert.Equal(12, rows.Count);
            var misses = new List<string>();
            foreach (string[] row in rows)
            {
                var asked = (SfRecordType)Enum.Parse(typeof(SfRecordType), row[0]);
                bool stated = row[1] == "yes";
                SfRecordType? last = row[2] == "none" ? null : (SfRecordType)Enum.Parse(typeof(SfRecordType), row[2]);
                for (int i = 0; i < PersonStates.Length; i++)
                {
                    LifecycleDecision decision = LifecyclePolicy.ForPerson(Preferences("defaults"), SourceState.Enabled, asked, stated, last, Person(PersonStates[i]));
                    if (decision.Outcome.ToString() != row[3 + i]) misses.Add($"{row[0]} | stated {row[1]} | last {row[2]} | {PersonStates[i]}: expected {row[3 + i]}, got {decision.Outcome}");
                }
            }
            Assert.Empty(misses);
        }

        [Fact]
        public void A_demoted_contact_is_deleted_only_when_records_may_be_deleted()
        {
            var demote = LifecyclePolicy.ForPerson(Preferences("defaults"), SourceState.Enabled, SfRecordType.Lead, true, null, PersonRecordState.Contact);
            Assert.False(demote.DeleteReplacedContact);
            demote = LifecyclePolicy.ForPerson(Preferences("delete"), SourceState.Enabled, SfRecordType.Lead, true, null, PersonRecordState.Contact);
            Assert.True(demote.DeleteReplacedContact);
        }

        [Fact]
        public void A_contact_left_beside_the_lead_of_a_demotion_is_deleted_while_the_source_still_moves_the_person()
        {
            // Still a move: the rule last recorded a Contact (a failed demotion records no change of type), or no rule and RecordType stated.
            var finish = LifecyclePolicy.ForPerson(Preferences("delete"), SourceState.Enabled, SfRecordType.Lead, true, SfRecordType.Contact, PersonRecordState.LeadOpen, contactBesideLead: true);
            Assert.Equal(LifecycleOutcome.Update, finish.Outcome);
            Assert.True(finish.DeleteReplacedContact);
            // No rule history: the contact beside the lead may be a converted lead's or anyone's; it is never deleted.
            Assert.False(LifecyclePolicy.ForPerson(Preferences("delete"), SourceState.Enabled, SfRecordType.Lead, true, null, PersonRecordState.LeadOpen, contactBesideLead: true).DeleteReplacedContact);
            // Not a move (the rule recorded the Lead), deletion not allowed, or the source wants a Contact: the contact is left alone.
            Assert.False(LifecyclePolicy.ForPerson(Preferences("delete"), SourceState.Enabled, SfRecordType.Lead, true, SfRecordType.Lead, PersonRecordState.LeadOpen, contactBesideLead: true).DeleteReplacedContact);
            Assert.False(LifecyclePolicy.ForPerson(Preferences("delete"), SourceState.Enabled, SfRecordType.Lead, false, null, PersonRecordState.LeadOpen, contactBesideLead: true).DeleteReplacedContact);
            Assert.False(LifecyclePolicy.ForPerson(Preferences("defaults"), SourceState.Enabled, SfRecordType.Lead, true, SfRecordType.Contact, PersonRecordState.LeadOpen, contactBesideLead: true).DeleteReplacedContact);
            Assert.False(LifecyclePolicy.ForPerson(Preferences("delete"), SourceState.Enabled, SfRecordType.Lead, true, SfRecordType.Contact, PersonRecordState.LeadOpen, contactBesideLead: false).DeleteReplacedContact);
        }

        [Fact]
        public void Re_enabling_writes_both_the_active_flag_and_the_frozen_login_whatever_the_disable_action()
        {
            foreach (string preferences in new[] { "defaults", "freeze", "Enable-SfUser" })
            {
                var both = LifecyclePolicy.ForUser(Preferences(preferences), SourceState.Enabled, User("inactive+frozen"));
                Assert.Equal((true, false), (both.SetActive, both.SetFrozen));
                var unfreeze = LifecyclePolicy.ForUser(Preferences(preferences), SourceState.Enabled, User("frozen"));
                Assert.Equal((null, false), (unfreeze.SetActive, unfreeze.SetFrozen));
            }
            var disable = LifecyclePolicy.ForUser(Preferences("defaults"), SourceState.Disabled, User("active"));
            Assert.Equal((false, null), (disable.SetActive, disable.SetFrozen));
            var freeze = LifecyclePolicy.ForUser(Preferences("freeze"), SourceState.Deleted, User("active"));
            Assert.Equal((null, true), (freeze.SetActive, freeze.SetFrozen));
        }

        [Fact]
        public void An_unlinked_active_community_user_may_be_left_alone_but_any_write_needs_its_contact()
        {
            Assert.True(LifecyclePolicy.ForUser(Preferences("defaults"), SourceState.Enabled, User("unlinked")).WritesNeedLinkedContact);
            Assert.False(LifecyclePolicy.ForUser(Preferences("defaults"), SourceState.Enabled, User("active")).WritesNeedLinkedContact);
            var nothingToDo = LifecyclePolicy.ForUser(Preferences("defaults"), SourceState.Deleted, User("unlinked+inactive"));
            Assert.Contains("not linked to a contact", nothingToDo.Reason);
        }

        [Theory]
        [InlineData(true, false, "Update")]
        [InlineData(true, true, "Update")]
        [InlineData(false, true, "Update")]
        [InlineData(false, false, "Skip")]
        public void Access_of_an_existing_user_changes_only_when_updating_is_on(bool updateUsers, bool newUser, string outcome)
        {
            var preferences = Preferences(updateUsers ? "defaults" : "update-off");
            Assert.Equal(outcome, LifecyclePolicy.ForAccess(preferences, newUser).Outcome.ToString());
        }

        [Theory]
        [InlineData(SfTarget.Salesforce, "Update")]
        [InlineData(SfTarget.Communities, "Skip")]
        public void Group_membership_is_synced_for_every_target_but_Communities(SfTarget target, string outcome)
            => Assert.Equal(outcome, LifecyclePolicy.ForMembership(target).Outcome.ToString());

        [Fact]
        public void A_field_of_an_existing_record_follows_its_own_update_flag_the_profile_included()
        {
            Assert.False(LifecyclePolicy.UpdatesField(null)); // e.g. ProfileId given by a ProfileName column, not in the map
            Assert.False(LifecyclePolicy.UpdatesField(new SfFieldMapping("ProfileId", new[] { "ProfileId" })));
            Assert.True(LifecyclePolicy.UpdatesField(new SfFieldMapping("ProfileId", new[] { "ProfileId" }) { Update = true }));
            Assert.Equal("Skip", LifecyclePolicy.ForFieldChanges(Preferences("update-off"), new[] { "Title" }).Outcome.ToString());
            Assert.Equal("Update", LifecyclePolicy.ForFieldChanges(Preferences("defaults"), new[] { "Title" }).Outcome.ToString());
        }

        [Theory]
        [InlineData(true, "Delete")]
        [InlineData(false, "Skip")]
        public void A_group_gone_from_the_source_is_deleted_only_with_delete_groups(bool deleteGroups, string outcome)
            => Assert.Equal(outcome, LifecyclePolicy.ForGroupRemoval(deleteGroups, "is deleted in the source").Outcome.ToString());

        [Theory]
        [InlineData(1, 10, 10, false, "Disable")]
        [InlineData(2, 10, 10, false, "Skip")]
        [InlineData(2, 10, 10, true, "Disable")]
        [InlineData(1, 0, 10, false, "Skip")]
        public void People_absent_from_a_complete_scope_are_deprovisioned_within_the_rules_limit(int absent, int provisioned, int maxPercent, bool force, string outcome)
            => Assert.Equal(outcome, LifecyclePolicy.ForAbsentPeople("hr", absent, provisioned, maxPercent, force).Outcome.ToString());

        [Fact]
        public void Lead_statuses_come_from_the_org_not_from_the_standard_picklist()
        {
            var statuses = LeadStatuses.From(new[]
            {
                Newtonsoft.Json.Linq.JObject.FromObject(new { ApiName = "Won", MasterLabel = "Won", IsConverted = true, IsDefault = false, SortOrder = 4 }),
                Newtonsoft.Json.Linq.JObject.FromObject(new { ApiName = "New", MasterLabel = "New", IsConverted = false, IsDefault = true, SortOrder = 1 }),
                Newtonsoft.Json.Linq.JObject.FromObject(new { ApiName = "Closed_Lost", MasterLabel = "Closed - Lost", IsConverted = false, IsDefault = false, SortOrder = 3 }),
                Newtonsoft.Json.Linq.JObject.FromObject(new { ApiName = "Working", MasterLabel = "Working", IsConverted = false, IsDefault = false, SortOrder = 2 }),
            });
            Assert.Equal("Won", statuses.Converted);
            Assert.Equal("Closed_Lost", statuses.Closed);
            Assert.Equal("New", statuses.Reopen);
            Assert.True(statuses.IsClosed("Closed_Lost"));
            Assert.False(statuses.IsClosed("Working"));
            Assert.Null(LeadStatuses.From(Array.Empty<Newtonsoft.Json.Linq.JObject>()).Closed);
        }

        private static IEnumerable<string[]> Rows(string table)
            => table.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Skip(1).Select(l => l.Split('|').Select(c => c.Trim()).ToArray());

        private static void AssertCovers(List<string[]> rows, string[] preferenceSets, string[] states)
        {
            var missing = from p in preferenceSets from s in states where !rows.Any(r => r[0] == p && r[1] == s) select $"{p} | {s}";
            Assert.Empty(missing);
        }

        private static UserSyncPolicy Preferences(string name)
        {
            switch (name)
            {
                case "Disable-SfUser": return UserSyncPolicy.ExplicitDisable(SfDisableAction.Disable, SfTarget.Communities);
                case "Enable-SfUser": return UserSyncPolicy.ExplicitEnable(SfDisableAction.Disable, SfTarget.Communities);
            }
            var preferences = new UserSyncPolicy { CreateUsers = true, UpdateUsers = true, DisableUsers = true, DeprovisionUsers = true };
            foreach (string toggle in name.Split(',').Select(t => t.Trim()))
            {
                switch (toggle)
                {
                    case "defaults": break;
                    case "create-off": preferences.CreateUsers = false; break;
                    case "update-off": preferences.UpdateUsers = false; break;
                    case "disable-off": preferences.DisableUsers = false; break;
                    case "deprovision-off": preferences.DeprovisionUsers = false; break;
                    case "provision-disabled": preferences.ProvisionDisabledUsers = true; break;
                    case "freeze": preferences.DisableAction = SfDisableAction.Freeze; break;
                    case "remove-disable": preferences.Target = SfTarget.Communities; preferences.RemoveAction = SfRemoveAction.Disable; break;
                    case "delete": preferences.AllowDelete = true; preferences.RemoveAction = SfRemoveAction.Delete; break;
                    default: throw new ArgumentException($"Unknown preference '{toggle}' in the table.");
                }
            }
            return preferences;
        }

        private static UserState User(string state)
        {
            switch (state)
            {
                case "missing": return UserState.Missing;
                case "active": return new UserState(true);
                case "inactive": return new UserState(true, active: false);
                case "frozen": return new UserState(true, frozen: true);
                case "inactive+frozen": return new UserState(true, active: false, frozen: true);
                case "guest": return new UserState(true, guest: true);
                case "unlinked": return new UserState(true, unlinkedCommunityUser: true);
                case "unlinked+inactive": return new UserState(true, active: false, unlinkedCommunityUser: true);
                default: throw new ArgumentException($"Unknown Salesforce state '{state}' in the table.");
            }
        }

        private static PersonRecordState Person(string state)
        {
            switch (state)
            {
                case "missing": return PersonRecordState.Missing;
                case "lead-open": return PersonRecordState.LeadOpen;
                case "lead-closed": return PersonRecordState.LeadClosed;
                case "lead-sales-closed": return PersonRecordState.LeadClosedInSalesforce;
                case "contact": return PersonRecordState.Contact;
                case "converted-lead": return PersonRecordState.ConvertedLead;
                default: throw new ArgumentException($"Unknown Salesforce state '{state}' in the table.");
            }
        }
    }
}
