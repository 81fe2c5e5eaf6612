using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    public class UserPlannerTests
    {
        private static readonly UserOrgContext Org = new UserOrgContext(
            new SObjectDescribe("User", new[]
            {
                new FieldInfo("Id", "id", 18, false, false, false),
                new FieldInfo("Username", "string", 80, true, true, false),
                new FieldInfo("LastName", "string", 80, true, true, false),
                new FieldInfo("FirstName", "string", 40, true, true, true),
                new FieldInfo("Email", "email", 128, true, true, false),
                new FieldInfo("Alias", "string", 8, true, true, false),
                new FieldInfo("Title", "string", 80, true, true, true),
                new FieldInfo("Phone", "phone", 40, true, true, true),
                new FieldInfo("IsActive", "boolean", 0, true, true, false),
                new FieldInfo("ProfileId", "reference", 18, true, true, false),
                new FieldInfo("TimeZoneSidKey", "picklist", 40, true, true, false),
                new FieldInfo("LocaleSidKey", "picklist", 40, true, true, false),
                new FieldInfo("EmailEncodingKey", "picklist", 40, true, true, false),
                new FieldInfo("LanguageLocaleKey", "picklist", 40, true, true, false),
                new FieldInfo("Skills__c", "multipicklist", 4099, true, true, true),
            }),
            new[] { new SfProfile("00e000000000001AAA", "Standard User", "Standard"), new SfProfile("00e000000000002AAA", "System Administrator", "Standard") },
            new Dictionary<string, string> { ["TimeZoneSidKey"] = "Europe/London", ["LocaleSidKey"] = "en_GB", ["EmailEncodingKey"] = "UTF-8", ["LanguageLocaleKey"] = "en_US" });

        private static UserSyncPolicy Policy(bool create = true, bool update = true, bool disable = true, SfDisableAction action = SfDisableAction.Disable, bool provisionDisabled = false)
            => new UserSyncPolicy { CreateUsers = create, UpdateUsers = update, DisableUsers = disable, DeprovisionUsers = disable, DisableAction = action, ProvisionDisabledUsers = provisionDisabled };

        private static SourceUser Source(object input, SfAttributeMap map = null)
            => (map ?? DefaultMap()).Evaluate(input, 0, (o, name) => ((IDictionary<string, object>)o).TryGetValue(name, out object v) ? (true, v) : (false, null));

        private static SfAttributeMap DefaultMap()
        {
            var map = SfAttributeMap.CreateDefault();
            map.Add(new SfFieldMapping("Skills__c", new[] { "Skills" }) { Update = true });
            return map.WithDefaultProfile("Standard User");
        }

        private static Dictionary<string, object> Jane(params (string, object)[] extra)
        {
            var d = new Dictionary<string, object> { ["UserPrincipalName"] = "jane.o'brien@example.com", ["givenName"] = "Jane", ["sn"] = "O'Brien", ["mail"] = "jane.o'brien@example.com" };
            foreach (var (k, v) in extra) d[k] = v;
            return d;
        }

        private static ExistingUser Existing(bool active = true, bool frozen = false, string title = null) => new ExistingUser(new JObject
        {
            ["Id"] = "005000000000001AAA", ["Username"] = "Jane.O'Brien@example.com", ["FirstName"] = "Jane", ["LastName"] = "O'Brien",
            ["Email"] = "jane.o'brien@example.com", ["IsActive"] = active, ["Title"] = title, ["ProfileId"] = "00e000000000001AAA",
        }) { IsFrozen = frozen };

        /// <summary>
        /// Microsoft Graph's businessPhones is a string collection that holds one number ("only one number can be set
        /// for this property", Graph's user resource, https://learn.microsoft.com/en-us/graph/api/resources/user): Phone takes the first.
        /// </summary>
        [Fact]
        public void Graphs_BusinessPhones_list_gives_Phone_its_first_number_in_the_default_and_a_custom_map()
        {
            Assert.Equal("+1 555 0100", Source(Jane(("BusinessPhones", new object[] { "+1 555 0100", "+1 555 0199" }))).Fields["Phone"]);
            Assert.Equal("+1 555 0100", Source(Jane(("BusinessPhones", new object[] { " ", "+1 555 0100" }))).Fields["Phone"]);
            // No number: the default map leaves Phone as it is, as for any value the source does not carry.
            Assert.False(Source(Jane(("BusinessPhones", new object[0]))).Fields.ContainsKey("Phone"));
            // A Phone of the source's own wins over the Graph list, as the default map's order says.
            Assert.Equal("0100", Source(Jane(("Phone", "0100"), ("BusinessPhones", new object[] { "+1 555 0199" }))).Fields["Phone"]);

            var custom = new SfAttributeMap();
            custom.Add(new SfFieldMapping("Username", new[] { "UserPrincipalName" }));
            custom.Add(new SfFieldMapping("Phone", new[] { "BusinessPhones" }));
            Assert.Equal("+1 555 0100", Source(Jane(("BusinessPhones", new object[] { "+1 555 0100", "+1 555 0199" })), custom).Fields["Phone"]);
            Assert.Null(Source(Jane(("BusinessPhones", new object[0])), custom).Fields["Phone"]); // a custom map clears an empty value
        }

        [Fact]
        public void A_new_user_gets_required_fields_from_defaults_and_a_generated_alias()
        {
            var plan = UserPlanner.Plan(Source(Jane()), null, Org, DefaultMap(), Policy());
            Assert.Equal(SfSyncAction.Created, plan.Action);
            Assert.Equal("jobrien", plan.Create.Value<string>("Alias"));
            Assert.Equal("Europe/London", plan.Create.Value<string>("TimeZoneSidKey"));
            Assert.Equal("00e000000000001AAA", plan.Create.Value<string>("ProfileId"));
            Assert.All(SfAttributeMap.RequiredUserFields, f => Assert.NotNull(plan.Create[f]));
        }

        [Fact]
        public void Creation_off_is_a_skip_with_its_reason()
        {
            var plan = UserPlanner.Plan(Source(Jane()), null, Org, DefaultMap(), Policy(create: false));
            Assert.Equal(SfSyncAction.Skipped, plan.Action);
            Assert.Contains("creation is off", plan.Message);
            Assert.False(plan.IsWrite);
        }

        [Fact]
        public void An_unchanged_user_causes_no_write_and_case_of_username_does_not_matter()
        {
            var plan = UserPlanner.Plan(Source(Jane()), Existing(), Org, DefaultMap(), Policy());
            Assert.Equal(SfSyncAction.Unchanged, plan.Action);
            Assert.False(plan.IsWrite);
        }

        [Fact]
        public void Only_changed_fields_are_written()
        {
            var plan = UserPlanner.Plan(Source(Jane(("Title", "CFO"))), Existing(title: "CEO"), Org, DefaultMap(), Policy());
            Assert.Equal(SfSyncAction.Updated, plan.Action);
            Assert.Equal(new[] { "Title" }, plan.Update.Properties().Select(p => p.Name));
        }

        [Fact]
        public void Fields_whose_update_flag_is_off_are_left_alone_and_reported()
        {
            var map = new SfAttributeMap { DefaultProfile = "Standard User" };
            map.Add(new SfFieldMapping("Username", new[] { "UserPrincipalName" }));
            map.Add(new SfFieldMapping("Title", new[] { "Title" }));
            var plan = UserPlanner.Plan(Source(Jane(("Title", "CFO")), map), Existing(title: "CEO"), Org, map, Policy());
            Assert.Equal(SfSyncAction.Unchanged, plan.Action);
            Assert.Contains("Title", plan.Message);
        }

        [Fact]
        public void An_empty_mapped_value_clears_the_field_unless_kept()
        {
            var map = new SfAttributeMap();
            map.Add(new SfFieldMapping("Username", new[] { "UserPrincipalName" }));
            map.Add(new SfFieldMapping("Title", new[] { "Title" }) { Update = true });
            var plan = UserPlanner.Plan(Source(Jane(("Title", "")), map), Existing(title: "CEO"), Org, map, Policy());
            Assert.Equal(JTokenType.Null, plan.Update["Title"].Type);

            map["Title"].KeepWhenEmpty = true;
            plan = UserPlanner.Plan(Source(Jane(("Title", "")), map), Existing(title: "CEO"), Org, map, Policy());
            Assert.Equal(SfSyncAction.Unchanged, plan.Action);
        }

        [Fact]
        public void A_required_field_made_optional_lets_partial_data_update_existing_users()
        {
            var map = new SfAttributeMap();
            map.Add(new SfFieldMapping("Username", new[] { "UserPrincipalName" }));
            map.Add(new SfFieldMapping("LastName", new[] { "Surname" }) { Update = true });
            map.Add(new SfFieldMapping("Title", new[] { "Title" }) { Update = true });
            var input = new Dictionary<string, object> { ["UserPrincipalName"] = "jane.o'brien@example.com", ["Surname"] = "", ["Title"] = "CFO" };
            Assert.Equal("RequiredFieldMissing", UserPlanner.Plan(Source(input, map), Existing(), Org, map, Policy()).ErrorCode);
            map["LastName"].Optional = true;
            var plan = UserPlanner.Plan(Source(input, map), Existing(), Org, map, Policy());
            Assert.Equal(SfSyncAction.Updated, plan.Action);
            Assert.Null(plan.Update["LastName"]);
        }

        [Fact]
        public void Multi_valued_sources_join_for_multi_select_picklists_and_are_refused_for_text()
        {
            var plan = UserPlanner.Plan(Source(Jane(("Skills", new object[] { "Apex", "Flows", "apex" }))), null, Org, DefaultMap(), Policy());
            Assert.Equal("Apex;Flows", plan.Create.Value<string>("Skills__c"));
            plan = UserPlanner.Plan(Source(Jane(("Title", new object[] { "CEO", "CFO" }))), null, Org, DefaultMap(), Policy());
            Assert.Equal("InvalidFieldValue", plan.ErrorCode);
        }

        [Theory]
        [InlineData("not-an-email", "InvalidUsername")]
        [InlineData("", "MissingUsername")]
        public void Usernames_must_be_in_email_format(string username, string code)
        {
            var plan = UserPlanner.Plan(Source(Jane(("UserPrincipalName", username))), null, Org, DefaultMap(), Policy());
            Assert.Equal(code, plan.ErrorCode);
        }

        [Fact]
        public void An_alias_longer_than_eight_characters_is_refused_before_any_call()
        {
            var plan = UserPlanner.Plan(Source(Jane(("Alias", "waytoolong"))), null, Org, DefaultMap(), Policy());
            Assert.Equal("InvalidFieldValue", plan.ErrorCode);
            Assert.Contains("at most 8", plan.Message);
        }

        [Fact]
        public void Unknown_profiles_fail_the_user_naming_the_profile()
        {
            var plan = UserPlanner.Plan(Source(Jane(("ProfileName", "Chief Wizard"))), null, Org, DefaultMap(), Policy());
            Assert.Equal("UnknownProfile", plan.ErrorCode);
            Assert.Contains("Chief Wizard", plan.Message);
        }

        [Fact]
        public void Disabled_in_source_disables_or_freezes_per_connection()
        {
            var disabled = Source(Jane(("Enabled", false)));
            Assert.Equal(SfSyncAction.Disabled, UserPlanner.Plan(disabled, Existing(), Org, DefaultMap(), Policy()).Action);
            var frozen = UserPlanner.Plan(disabled, Existing(), Org, DefaultMap(), Policy(action: SfDisableAction.Freeze));
            Assert.Equal(SfSyncAction.Frozen, frozen.Action);
            Assert.True(frozen.Freeze);
            Assert.Null(frozen.Update);
            var off = UserPlanner.Plan(disabled, Existing(), Org, DefaultMap(), Policy(disable: false));
            Assert.Equal(SfSyncAction.Skipped, off.Action);
            Assert.Contains("-DisableUsers", off.Remedy);
        }

        [Fact]
        public void Enabled_again_reactivates_or_unfreezes()
        {
            var enabled = Source(Jane(("Enabled", "true")));
            var reactivated = UserPlanner.Plan(enabled, Existing(active: false), Org, DefaultMap(), Policy());
            Assert.Equal(SfSyncAction.Reactivated, reactivated.Action);
            Assert.True(reactivated.Update.Value<bool>("IsActive"));
            var unfrozen = UserPlanner.Plan(enabled, Existing(frozen: true), Org, DefaultMap(), Policy(action: SfDisableAction.Freeze));
            Assert.Equal(SfSyncAction.Reactivated, unfrozen.Action);
            Assert.False(unfrozen.Freeze);
        }

        [Fact]
        public void Disabled_users_are_provisioned_inactive_only_when_asked()
        {
            var disabled = Source(Jane(("Enabled", false)));
            Assert.Equal(SfSyncAction.Skipped, UserPlanner.Plan(disabled, null, Org, DefaultMap(), Policy()).Action);
            var plan = UserPlanner.Plan(disabled, null, Org, DefaultMap(), Policy(provisionDisabled: true));
            Assert.Equal(SfSyncAction.Created, plan.Action);
            Assert.False(plan.Create.Value<bool>("IsActive"));
        }

        [Fact]
        public void Deleted_in_source_is_deprovisioned_and_never_created()
        {
            var deleted = Source(Jane(("Deleted", true)));
            Assert.Equal(SfSyncAction.Disabled, UserPlanner.Plan(deleted, Existing(), Org, DefaultMap(), Policy()).Action);
            Assert.Equal(SfSyncAction.Skipped, UserPlanner.Plan(deleted, null, Org, DefaultMap(), Policy(provisionDisabled: true)).Action);
        }

        [Theory]
        [InlineData("Zoë", "Ångström", "zangstro")]
        [InlineData("", "Nakamura-Smithson", "nakamura")]
        [InlineData(null, null, "jdoe")]
        public void Generated_aliases_fit_in_eight_characters(string first, string last, string expected)
        {
            Assert.Equal(expected, UserPlanner.GenerateAlias(first, last, "jdoe@example.com"));
        }

        [Fact]
        public void A_profile_column_changes_an_existing_users_profile_only_with_the_profiles_update_flag()
        {
            var map = new SfAttributeMap();
            map.Add(new SfFieldMapping("Username", new[] { "UserPrincipalName" }));
            map.Add(new SfFieldMapping("Email", new[] { "mail" }) { Update = true });
            var plan = UserPlanner.Plan(Source(Jane(("ProfileName", "System Administrator")), map), Existing(), Org, map, Policy());
            Assert.Equal(SfSyncAction.Unchanged, plan.Action);
            Assert.Null(plan.Update);
            Assert.Contains("ProfileId", plan.Message);

            map.Add(new SfFieldMapping("ProfileId", new[] { "ProfileId" }) { Update = true });
            plan = UserPlanner.Plan(Source(Jane(("ProfileName", "System Administrator")), map), Existing(), Org, map, Policy());
            Assert.Equal(SfSyncAction.Updated, plan.Action);
            Assert.Equal("00e000000000002AAA", plan.Update.Value<string>("ProfileId"));
        }

        [Fact]
        public void A_frozen_user_enabled_in_the_source_is_unfrozen_on_a_disable_mode_connection()
        {
            var plan = UserPlanner.Plan(Source(Jane(("Enabled", true))), Existing(frozen: true), Org, DefaultMap(), Policy(action: SfDisableAction.Disable));
            Assert.Equal(SfSyncAction.Reactivated, plan.Action);
            Assert.False(plan.Freeze);
        }
    }
}
