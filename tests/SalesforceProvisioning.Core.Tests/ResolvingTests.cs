using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>Role names, managers' keys, match precedence, access end dates and licence seats, without I/O.</summary>
    public class ResolvingTests
    {
        private static UserOrgContext NewOrg() => new UserOrgContext(
            new SObjectDescribe("User", new[]
            {
                new FieldInfo("Id", "id", 18, false, false, false),
                new FieldInfo("Username", "string", 80, true, true, false),
                new FieldInfo("LastName", "string", 80, true, true, false),
                new FieldInfo("Email", "email", 128, true, true, false),
                new FieldInfo("Alias", "string", 8, true, true, false),
                new FieldInfo("IsActive", "boolean", 0, true, true, false),
                new FieldInfo("ProfileId", "reference", 18, true, true, false),
                new FieldInfo("UserRoleId", "reference", 18, true, true, true),
                new FieldInfo("ManagerId", "reference", 18, true, true, true),
                new FieldInfo("FederationIdentifier", "string", 512, true, true, true),
                new FieldInfo("TimeZoneSidKey", "picklist", 40, true, true, false),
                new FieldInfo("LocaleSidKey", "picklist", 40, true, true, false),
                new FieldInfo("EmailEncodingKey", "picklist", 40, true, true, false),
                new FieldInfo("LanguageLocaleKey", "picklist", 40, true, true, false),
            }),
            new[] { new SfProfile("00e000000000001AAA", "Standard User", "Standard", "100000000000001AAA") },
            new Dictionary<string, string> { ["TimeZoneSidKey"] = "GMT", ["LocaleSidKey"] = "en_US", ["EmailEncodingKey"] = "UTF-8", ["LanguageLocaleKey"] = "en_US" })
        {
            Roles = new RoleDirectory(new[]
            {
                new SfRole { Id = "00E000000000001AAA", Name = "Sales Manager", DeveloperName = "Sales_Manager" },
                new SfRole { Id = "00E000000000002AAA", Name = "Support", DeveloperName = "Support_EMEA" },
                new SfRole { Id = "00E000000000003AAA", Name = "Support", DeveloperName = "Support_US" },
            }),
        };

        private static readonly UserSyncPolicy Policy = new UserSyncPolicy { CreateUsers = true, UpdateUsers = true, DisableUsers = true, DeprovisionUsers = true };

        private static SourceUser Source(params (string, object)[] values)
        {
            var input = new Dictionary<string, object> { ["Username"] = "kim@example.com", ["LastName"] = "Kim", ["Email"] = "kim@example.com" };
            foreach (var (k, v) in values) input[k] = v;
            return Map().Evaluate(input, 0, (o, name) => ((IDictionary<string, object>)o).TryGetValue(name, out object v) ? (true, v) : (false, null));
        }

        private static SfAttributeMap Map() => SfAttributeMap.CreateDefault().WithDefaultProfile("Standard User");

        [Theory]
        [InlineData("Sales Manager", "00E000000000001AAA")]
        [InlineData("sales_manager", "00E000000000001AAA")]
        [InlineData("Support_US", "00E000000000003AAA")]
        [InlineData("00E000000000002", "00E000000000002AAA")]
        public void A_role_resolves_by_name_developer_name_or_id(string asked, string id)
        {
            var plan = UserPlanner.Plan(Source(("Role", asked)), null, NewOrg(), Map(), Policy);
            Assert.Equal(SfSyncAction.Created, plan.Action);
            Assert.Equal(id, plan.Create.Value<string>("UserRoleId"));
        }

        [Theory]
        [InlineData("Support", "AmbiguousRole", "Support_EMEA, Support_US")]
        [InlineData("Sales Manger", "UnknownRole", "'Sales Manager' (Sales_Manager)")]
        public void An_ambiguous_or_unknown_role_fails_that_user_with_what_to_do(string asked, string code, string named)
        {
            var plan = UserPlanner.Plan(Source(("Role", asked)), null, NewOrg(), Map(), Policy);
            Assert.Equal(SfSyncAction.Failed, plan.Action);
            Assert.Equal(code, plan.ErrorCode);
            Assert.Contains(named, plan.Message);
            Assert.False(string.IsNullOrEmpty(plan.Remedy));
        }

        [Fact]
        public void Map_keys_UserRole_and_Manager_are_the_fields_they_resolve()
        {
            var map = new SfAttributeMap();
            map.Add(new SfFieldMapping("UserRole", new[] { "Title" }));
            map.Add(new SfFieldMapping("Manager", new[] { "Boss" }));
            Assert.Equal(new[] { "UserRoleId", "ManagerId" }, map.Mappings.Select(m => m.Field));
            Assert.Same(map["UserRoleId"], map["Role"]);
            var saved = SfAttributeMap.FromJson(map.WithMatching(new[] { "FederationIdentifier", "Username" }, "EmployeeNumber").ToJson(), _ => null);
            Assert.Equal(new[] { "FederationIdentifier", "Username" }, saved.MatchBy);
            Assert.Equal("EmployeeNumber", saved.ManagerKey);
        }

        [Fact]
        public void A_manager_found_is_set_one_created_in_the_run_waits_for_the_second_pass_and_a_missing_one_is_reported()
        {
            var org = NewOrg();
            org.Managers = new ManagerDirectory("Username");
            org.Managers.Learn(new[] { "boss@example.com", "ghost@example.com" },
                key => key == "boss@example.com" ? new[] { new UserRecord(new JObject { ["Id"] = "005000000000009AAA" }) } : Array.Empty<UserRecord>());
            org.Managers.ExpectCreates(new[] { "new.boss@example.com" });

            Assert.Equal("005000000000009AAA", UserPlanner.Plan(Source(("Manager", "BOSS@example.com")), null, org, Map(), Policy).Create.Value<string>("ManagerId"));
            var later = UserPlanner.Plan(Source(("Manager", "new.boss@example.com")), null, org, Map(), Policy);
            Assert.Null(later.Create["ManagerId"]);
            Assert.Equal("new.boss@example.com", later.PendingManagerKey);
            var missing = UserPlanner.Plan(Source(("Manager", "ghost@example.com")), null, org, Map(), Policy);
            Assert.Equal(SfSyncAction.Created, missing.Action);
            Assert.Null(missing.Create["ManagerId"]);
            Assert.Contains("'ghost@example.com' (Username) is not in Salesforce", missing.Message);
        }

        private sealed class Users : IUserLookup
        {
            private readonly JObject[] _users;
            public Users(params JObject[] users) { _users = users; }
            public IEnumerable<UserRecord> Find(string field, string value) => _users.Where(u => string.Equals(u.Value<string>(field), value, StringComparison.OrdinalIgnoreCase)).Select(u => new UserRecord(u));
        }

        private static JObject User(string id, string username, string federationId) => new JObject { ["Id"] = id, ["Username"] = username, ["FederationIdentifier"] = federationId };

        [Fact]
        public void Matching_takes_the_first_key_in_precedence_and_refuses_keys_that_name_different_users()
        {
            var users = new Users(User("005000000000001AAA", "old.kim@example.com", "kim"), User("005000000000002AAA", "kim@example.com", "someone"), User("005000000000003AAA", "x@example.com", "dup"), User("005000000000004AAA", "y@example.com", "dup"));
            var byFederationId = new[] { "FederationIdentifier", "Username" };

            var renamed = UserMatcher.Match(Source(("FederationIdentifier", "kim"), ("Username", "new.kim@example.com")), users, byFederationId, Array.Empty<string>());
            Assert.Equal("005000000000001AAA", renamed.Record.Text("Id"));
            Assert.Equal("FederationIdentifier", renamed.MatchedBy);

            var conflict = UserMatcher.Match(Source(("FederationIdentifier", "kim")), users, byFederationId, Array.Empty<string>());
            Assert.Equal("FederationIdInUse", conflict.ErrorCode);
            Assert.Contains("old.kim@example.com", conflict.Problem);

            var byName = UserMatcher.Match(Source(("FederationIdentifier", "kim"), ("Username", "brand.new@example.com")), users, new[] { "Username" }, new[] { "FederationIdentifier" });
            Assert.Equal("FederationIdInUse", byName.ErrorCode);

            var ambiguous = UserMatcher.Match(Source(("FederationIdentifier", "dup")), users, byFederationId, Array.Empty<string>());
            Assert.Equal("AmbiguousMatch", ambiguous.ErrorCode);

            var fresh = UserMatcher.Match(Source(("FederationIdentifier", "fresh"), ("Username", "fresh@example.com")), users, byFederationId, Array.Empty<string>());
            Assert.Null(fresh.Record);
            Assert.Null(fresh.ErrorCode);
        }

        [Fact]
        public void Matched_by_another_key_a_changed_username_is_a_rename()
        {
            var existing = new ExistingUser(new JObject
            {
                ["Id"] = "005000000000001AAA", ["Username"] = "old.kim@example.com", ["LastName"] = "Kim", ["Email"] = "kim@example.com", ["IsActive"] = true, ["ProfileId"] = "00e000000000001AAA",
            }) { MatchedBy = "FederationIdentifier" };
            var plan = UserPlanner.Plan(Source(), existing, NewOrg(), Map(), Policy);
            Assert.Equal(SfSyncAction.Updated, plan.Action);
            Assert.Equal("kim@example.com", plan.Update.Value<string>("Username"));
        }

        [Theory]
        [InlineData("2027-03-31T17:00:00+02:00", "2027-03-31T15:00:00.000Z")]
        [InlineData("2027-03-31T17:00:00Z", "2027-03-31T17:00:00.000Z")]
        public void An_access_end_date_is_an_instant(string given, string expires)
        {
            var culture = CultureInfo.CurrentCulture;
            try
            {
                CultureInfo.CurrentCulture = new CultureInfo("tr-TR");
                var source = Source(("AccessEndDate", given));
                Assert.True(source.AccessEndDateGiven);
                Assert.Equal(expires, Expiry.Of(source).Text);
            }
            finally
            {
                CultureInfo.CurrentCulture = culture;
            }
        }

        [Fact]
        public void A_plain_access_end_date_lasts_through_that_day_in_the_sync_machines_zone()
        {
            var nextMidnight = new DateTime(2027, 4, 1, 0, 0, 0, DateTimeKind.Unspecified);
            string expires = TimeZoneInfo.ConvertTimeToUtc(nextMidnight, TimeZoneInfo.Local).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            Assert.Equal(expires, Expiry.Of(Source(("AccessEndDate", "2027-03-31"))).Text);
        }

        [Fact]
        public void Entras_leave_date_time_and_a_local_date_time_are_instants()
        {
            Assert.Equal("2027-03-31T15:00:00.000Z", Expiry.Of(Source(("EmployeeLeaveDateTime", new DateTimeOffset(2027, 3, 31, 17, 0, 0, TimeSpan.FromHours(2))))).Text);
            var local = new DateTime(2027, 3, 31, 17, 0, 0, DateTimeKind.Local);
            Assert.Equal(local.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), Expiry.Of(Source(("ContractEndDate", local))).Text);
        }

        [Fact]
        public void A_bad_end_date_is_that_users_error()
        {
            var plan = UserPlanner.Plan(Source(("EndDate", "next friday")), null, NewOrg(), Map(), Policy);
            Assert.Equal(SfSyncAction.Failed, plan.Action);
            Assert.Contains("AccessEndDate", plan.Message);
        }

        [Fact]
        public void The_licence_policy_skips_beyond_the_free_seats_with_the_numbers()
        {
            Assert.Equal(LifecycleOutcome.Create, LifecyclePolicy.ForLicenceSeat("Salesforce", "licence", 10, 8, 1).Outcome);
            var full = LifecyclePolicy.ForLicenceSeat("Salesforce", "licence", 10, 8, 2);
            Assert.True(full.IsSkip);
            Assert.Equal("LicenseLimit", full.ErrorCode);
            Assert.Contains("8 of 10 used before this run, and 2 more taken by earlier users of this run", full.Reason);
        }

        /// <summary>
        /// README, "Licences before they run out": where seats are scarce (10 free or fewer) each user's message also
        /// names the seat it takes. With 11 free the first user's result says nothing of it; the second, taking one
        /// of the 10 left, is told.
        /// </summary>
        [Fact]
        public void A_users_result_names_the_seat_it_takes_from_ten_free_seats_down()
        {
            var org = NewOrg();
            var ledger = new LicenceLedger();
            ledger.AddUserLicences(new[] { new JObject { ["Id"] = "100000000000001AAA", ["Name"] = "Salesforce", ["TotalLicenses"] = 20, ["UsedLicenses"] = 9 } });
            var first = UserPlanner.Plan(Source(), null, org, Map(), Policy);
            var second = UserPlanner.Plan(Source(("Username", "lee@example.com"), ("Email", "lee@example.com")), null, org, Map(), Policy);
            ledger.Plan(first, org);
            ledger.Plan(second, org);
            Assert.Equal(SfSyncAction.Created, first.Action);
            Assert.DoesNotContain("Takes a seat", first.Message ?? "");
            Assert.Equal(SfSyncAction.Created, second.Action);
            Assert.Equal("Takes a seat of licence 'Salesforce' (10 of 20 free before it).", second.Message);
        }

        [Fact]
        public void The_ledger_takes_seats_in_input_order_and_gives_back_those_not_written()
        {
            var org = NewOrg();
            var ledger = new LicenceLedger();
            ledger.AddUserLicences(new[] { new JObject { ["Id"] = "100000000000001AAA", ["Name"] = "Salesforce", ["TotalLicenses"] = 3, ["UsedLicenses"] = 2 } });
            var first = UserPlanner.Plan(Source(), null, org, Map(), Policy);
            var second = UserPlanner.Plan(Source(("Username", "lee@example.com"), ("Email", "lee@example.com")), null, org, Map(), Policy);
            ledger.Plan(first, org);
            ledger.Plan(second, org);
            Assert.Equal(SfSyncAction.Created, first.Action);
            Assert.Contains("1 of 3 free before it", first.Message); // scarce: the result names the seat
            Assert.Equal(SfSyncAction.Skipped, second.Action);
            Assert.Equal("LicenseLimit", second.ErrorCode);

            first.Fail("UNKNOWN_EXCEPTION", "boom", null);
            ledger.Settle(first);
            Assert.Equal(1, ledger.Licences.Single().Free);
            Assert.Equal("licence 'Salesforce': 0 seat(s) taken of 1 free (3 in all), 1 user(s) skipped for lack of a seat", ledger.Planned.Single().ToString());
        }
    }
}
