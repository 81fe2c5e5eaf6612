using System;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>A Salesforce user as matched by Username, with its login state.</summary>
    public sealed class ExistingUser
    {
        public ExistingUser(JObject record) : this(new UserRecord(record)) { }
        public ExistingUser(UserRecord record) { Record = record ?? throw new ArgumentNullException(nameof(record)); }
        public UserRecord Record { get; }
        public string Id => Record.Text("Id");
        public bool IsActive => Record.Flag("IsActive") ?? true;
        public bool IsFrozen { get; set; }
        public string UserLoginId { get; set; }

        private static readonly System.Collections.Generic.HashSet<string> CommunityUserTypes = new System.Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "PowerCustomerSuccess", "CspLitePortal", "PowerPartner", "CustomerSuccess",
        };

        public bool IsGuest => Record.Text("UserType") == "Guest";

        /// <summary>A customer or partner user whose contact link is gone (only the Communities target links users to contacts).</summary>
        /// <summary>The User field the match was made on (Username unless -MatchBy says otherwise).</summary>
        public string MatchedBy { get; set; } = "Username";

        public bool IsUnlinkedCommunityUser => CommunityUserTypes.Contains(Record.Text("UserType") ?? "") && Record.Text("ContactId") == null;

        internal UserState State(UserSyncPolicy policy) => new UserState(true, IsActive, IsFrozen, IsGuest,
            policy.Target == SfTarget.Communities && IsUnlinkedCommunityUser, IsIntegrationUser(policy));

        /// <summary>The connection's own user (its Id from the token answer), compared on the 15-character Id.</summary>
        private bool IsIntegrationUser(UserSyncPolicy policy)
            => policy.IntegrationUserId != null && Id != null
               && string.Equals(UserOrgContext.Id15(Id), UserOrgContext.Id15(policy.IntegrationUserId), StringComparison.Ordinal);
    }

    /// <summary>
    /// Decides, for one source user and its Salesforce match, what to write. Pure: no I/O, so every
    /// rule of the connection's toggles is testable on its own.
    /// </summary>
    public static class UserPlanner
    {
        private static readonly Regex EmailShape = new Regex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant);

        public static UserPlan Plan(SourceUser source, ExistingUser existing, UserOrgContext org, SfAttributeMap map, UserSyncPolicy policy)
        {
            var plan = new UserPlan(source) { UserId = existing?.Id, Existing = existing?.Record };
            if (source.Problems.Count > 0)
            {
                var p = source.Problems[0];
                plan.Fail("InvalidSourceValue", $"{p.Field}: {p.Problem}", p.Remedy);
                return plan;
            }
            if (!ValidateUsername(source, plan)) return plan;
            bool setsManagerLater = existing == null || (policy.UpdateUsers && LifecyclePolicy.UpdatesField(map["ManagerId"]));
            DesiredFieldValues desired = DesiredFields(source, org, map, plan, setsManagerLater);
            if (desired == null) return plan;

            if (existing == null) PlanNewUser(source, desired, org, map, policy, plan);
            else PlanExistingUser(source, existing, desired, org, map, policy, plan);
            if (plan.Notes.Count > 0 && plan.Action != SfSyncAction.Failed && plan.Action != SfSyncAction.Skipped)
                plan.Message = string.Join(" ", new[] { plan.Message }.Concat(plan.Notes).Where(n => !string.IsNullOrEmpty(n)));
            return plan;
        }

        private static bool ValidateUsername(SourceUser source, UserPlan plan)
        {
            string username = source.Username;
            if (string.IsNullOrEmpty(username))
            {
                plan.Fail("MissingUsername", "The input has no Username (looked for Username, UserPrincipalName and the attribute map's Username source).", "Map Username to a source property in email format, for example New-SfAttributeMap -Mapping @{ Username = 'mail' }.");
                return false;
            }
            if (!EmailShape.IsMatch(username))
            {
                plan.Fail("InvalidUsername", $"Username '{username}' is not in email format, which Salesforce requires.", "Map Username to an email-format property (UserPrincipalName or mail), or compute one with a script block.");
                return false;
            }
            return true;
        }

        /// <summary>The mapped values converted to what each field takes; null (and a failed plan) on a bad value.</summary>
        private static DesiredFieldValues DesiredFields(SourceUser source, UserOrgContext org, SfAttributeMap map, UserPlan plan, bool setsManagerLater)
        {
            var desired = new DesiredFieldValues(source.Fields.Count + 8); // room for the defaults the planner adds (profile, locale keys, alias)
            foreach (var pair in source.Fields)
            {
                FieldInfo field = org.UserDescribe.Field(pair.Key);
                if (field == null) continue; // unknown fields were refused before the run started
                JToken value = FieldValues.Normalize(field, pair.Value, out string problem);
                if (problem != null)
                {
                    plan.Fail("InvalidFieldValue", problem, $"Fix {field.Name} in the source, or change its mapping.");
                    return null;
                }
                if (value.Type == JTokenType.Null && !field.Nillable)
                {
                    if (map[field.Name]?.Optional == true) continue;
                    plan.Fail("RequiredFieldMissing", $"{field.Name} is required by Salesforce but the source value is empty.", $"Fill {field.Name} in the source, or make it optional with New-SfAttributeMap -Optional {field.Name} to update existing users with partial data.");
                    return null;
                }
                desired[field.Name] = value;
            }
            if (!ResolveProfile(source, desired, org, map, plan)) return null;
            if (!ResolveRole(desired, org, plan)) return null;
            ResolveManager(desired, org, plan, setsManagerLater);
            if (desired["Email"] is JValue email && email.Type == JTokenType.String && !EmailShape.IsMatch((string)email))
            {
                plan.Fail("InvalidEmail", $"Email '{email}' is not a valid email address.", "Fix the email address in the source.");
                return null;
            }
            return desired;
        }

        private static bool ResolveProfile(SourceUser source, DesiredFieldValues desired, UserOrgContext org, SfAttributeMap map, UserPlan plan)
        {
            string asked = desired.Text("ProfileId") ?? source.ProfileName;
            if (asked == null) return true;
            SfProfile profile = org.FindProfile(asked);
            if (profile == null)
            {
                string known = string.Join(", ", org.Profiles.Select(p => "'" + p.Name + "'").Take(8));
                plan.Fail("UnknownProfile", $"Profile '{asked}' does not exist in this org.", $"Use one of the org's profiles ({known}), by name or Id.");
                return false;
            }
            desired["ProfileId"] = profile.Id;
            return true;
        }

        /// <summary>UserRoleId from a role's Id, DeveloperName or name (the org's roles are read once per run).</summary>
        private static bool ResolveRole(DesiredFieldValues desired, UserOrgContext org, UserPlan plan)
        {
            if (!(desired["UserRoleId"] is JValue value) || value.Type != JTokenType.String) return true;
            string id = org.Roles.Resolve((string)value, out string code, out string problem, out string remedy);
            if (id == null)
            {
                plan.Fail(code, problem, remedy);
                return false;
            }
            desired["UserRoleId"] = id;
            return true;
        }

        /// <summary>
        /// ManagerId from the manager's Id or key. A manager not in Salesforce leaves ManagerId as it is,
        /// and the result says so; one created in this run is set after its create (second pass).
        /// </summary>
        private static void ResolveManager(DesiredFieldValues desired, UserOrgContext org, UserPlan plan, bool setsManagerLater)
        {
            if (!(desired["ManagerId"] is JValue value) || value.Type != JTokenType.String) return;
            string key = ((string)value).Trim();
            switch (org.Managers.Find(key, out string id))
            {
                case ManagerLookup.Found:
                    desired["ManagerId"] = id;
                    return;
                case ManagerLookup.CreatedLater when setsManagerLater:
                    plan.PendingManagerKey = key;
                    plan.Notes.Add(ManagerDirectory.SecondPassNote(key));
                    break;
                case ManagerLookup.CreatedLater:
                    plan.Notes.Add($"The manager '{key}' is created in this run, but ManagerId of existing users is not updated (its Update flag or -UpdateUsers is off).");
                    break;
                case ManagerLookup.Ambiguous:
                    plan.Notes.Add($"Manager '{key}' is ambiguous: several Salesforce users have {org.Managers.KeyField} '{key}'; ManagerId not set.");
                    plan.ManagerNotSet = true;
                    break;
                default:
                    if (setsManagerLater) plan.UnfoundManagerKey = key;
                    plan.Notes.Add(org.Managers.NotFoundNote(key));
                    plan.ManagerNotSet = true;
                    break;
            }
            desired.Remove("ManagerId");
        }

        private static void PlanNewUser(SourceUser source, DesiredFieldValues desired, UserOrgContext org, SfAttributeMap map, UserSyncPolicy policy, UserPlan plan)
        {
            LifecycleDecision decision = LifecyclePolicy.ForUser(policy, LifecyclePolicy.StateOf(source), UserState.Missing);
            if (decision.IsFailure)
            {
                plan.Fail(decision.ErrorCode, $"No Salesforce user has the Username '{source.Username}'.", decision.Remedy);
                return;
            }
            if (decision.IsSkip)
            {
                plan.Skip(decision.Reason, decision.Remedy);
                return;
            }

            var create = new JObject();
            foreach (var property in desired.Fields)
            {
                if (property.Value.Type == JTokenType.Null) continue;
                FieldInfo field = org.UserDescribe.Field(property.Key);
                if (field != null && field.Createable) create[field.Name] = property.Value;
            }
            foreach (var pair in org.LocaleDefaults)
            {
                if (create[pair.Key] == null && pair.Value != null) create[pair.Key] = pair.Value;
            }
            if (create["ProfileId"] == null && map.DefaultProfile != null)
            {
                SfProfile profile = org.FindProfile(map.DefaultProfile);
                if (profile != null) create["ProfileId"] = profile.Id;
            }
            if (create["Alias"] == null) create["Alias"] = GenerateAlias(create.Value<string>("FirstName"), create.Value<string>("LastName"), source.Username);
            if (decision.Outcome == LifecycleOutcome.CreateInactive) create["IsActive"] = false;

            string missing = SfAttributeMap.RequiredUserFields.FirstOrDefault(f => create[f] == null);
            if (missing != null)
            {
                string remedy = missing == "ProfileId"
                    ? "Give a profile: New-SfAttributeMap -Profile 'Standard User', or a ProfileName property on the input."
                    : $"Map {missing} to a source property (New-SfAttributeMap -Mapping @{{ {missing} = '...' }}) or give it a default.";
                plan.Fail("RequiredFieldMissing", $"{missing} is required to create a Salesforce user and the source has no value for it.", remedy);
                return;
            }
            plan.Create = create;
            plan.Action = SfSyncAction.Created;
            plan.ChangedFields.AddRange(create.Properties().Select(p => p.Name));
            plan.Message = decision.Reason;
        }

        private static void PlanExistingUser(SourceUser source, ExistingUser existing, DesiredFieldValues desired, UserOrgContext org, SfAttributeMap map, UserSyncPolicy policy, UserPlan plan)
        {
            var update = new JObject();
            var notUpdated = new System.Collections.Generic.List<string>();
            // An index loop: this runs for every matched user, most of them unchanged.
            for (int i = 0; i < desired.Fields.Count; i++)
            {
                var property = desired.Fields[i];
                FieldInfo field = org.UserDescribe.Field(property.Key);
                // Username is the match key; matched by another key (-MatchBy), a changed Username is a rename.
                if (field == null || !field.Updateable || (field.Name == "Username" && existing.MatchedBy == "Username")) continue;
                if (FieldValues.AreEqual(field, property.Value, existing.Record[field.Name])) continue;
                if (LifecyclePolicy.UpdatesField(map[field.Name])) update[field.Name] = property.Value;
                else notUpdated.Add(field.Name);
            }

            LifecycleDecision decision = LifecyclePolicy.ForUser(policy, LifecyclePolicy.StateOf(source), existing.State(policy));
            plan.Decision = decision;
            switch (decision.Outcome)
            {
                case LifecycleOutcome.Fail:
                    plan.Fail(decision.ErrorCode, decision.Reason, decision.Remedy);
                    return;
                case LifecycleOutcome.Skip:
                    plan.Skip(decision.Reason, decision.Remedy);
                    return;
                case LifecycleOutcome.Freeze: plan.Action = SfSyncAction.Frozen; break;
                case LifecycleOutcome.Disable: plan.Action = SfSyncAction.Disabled; break;
                case LifecycleOutcome.Reactivate:
                case LifecycleOutcome.Unfreeze: plan.Action = SfSyncAction.Reactivated; break;
                default: plan.Action = SfSyncAction.Unchanged; break;
            }
            LifecycleDecision fields = update.HasValues ? LifecyclePolicy.ForFieldChanges(policy, update.Properties().Select(p => p.Name)) : null;
            if (fields?.IsSkip == true)
            {
                if (plan.Action == SfSyncAction.Unchanged)
                {
                    plan.Skip(fields.Reason, fields.Remedy);
                    return;
                }
                notUpdated.AddRange(update.Properties().Select(p => p.Name));
                update.RemoveAll();
            }
            if (decision.SetActive.HasValue) update["IsActive"] = decision.SetActive.Value;
            if (decision.SetFrozen.HasValue)
            {
                plan.Freeze = decision.SetFrozen.Value;
                plan.UserLoginId = existing.UserLoginId;
            }
            if (plan.Action == SfSyncAction.Unchanged && (update.HasValues || plan.PendingManagerKey != null)) plan.Action = SfSyncAction.Updated;
            if (update.HasValues)
            {
                plan.Update = update;
                plan.ChangedFields.AddRange(update.Properties().Select(p => p.Name));
            }
            if (plan.Freeze.HasValue) plan.ChangedFields.Add("UserLogin.IsFrozen");

            var notes = new System.Collections.Generic.List<string>();
            if (decision.Reason != null) notes.Add(decision.Reason);
            if (notUpdated.Count > 0) notes.Add($"Not updated because their Update flag is off: {string.Join(", ", notUpdated)}.");
            if (update.HasValues && update["Email"] != null) notes.Add("Email changed: Salesforce may send the user a confirmation mail.");
            if (notes.Count > 0) plan.Message = string.Join(" ", notes);
        }

        /// <summary>An alias of at most 8 characters from the names: first initial and last name.</summary>
        public static string GenerateAlias(string firstName, string lastName, string username)
        {
            string basis = (string.IsNullOrEmpty(firstName) ? "" : firstName.Substring(0, 1)) + (lastName ?? "");
            if (basis.Length == 0) basis = username.Split('@')[0];
            var sb = new StringBuilder();
            foreach (char c in basis.Normalize(NormalizationForm.FormD))
            {
                if (char.IsLetterOrDigit(c) && c < 128) sb.Append(char.ToLowerInvariant(c));
                if (sb.Length == 8) break;
            }
            if (sb.Length == 0) sb.Append(username.Split('@')[0].Length > 8 ? username.Substring(0, 8) : username.Split('@')[0]);
            return sb.ToString();
        }
    }
}
