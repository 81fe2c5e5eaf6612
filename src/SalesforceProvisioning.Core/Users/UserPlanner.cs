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
        public ExistingUser(JObject record) { Record = record; }
        public JObject Record { get; }
        public string Id => Record.Value<string>("Id");
        public bool IsActive => Record.Value<bool?>("IsActive") ?? true;
        public bool IsFrozen { get; set; }
        public string UserLoginId { get; set; }
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
            JObject desired = DesiredFields(source, org, map, plan);
            if (desired == null) return plan;

            if (existing == null) PlanNewUser(source, desired, org, map, policy, plan);
            else PlanExistingUser(source, existing, desired, org, map, policy, plan);
            return plan;
        }

        private static bool IsIntegrationUser(ExistingUser existing, UserSyncPolicy policy)
            => policy.IntegrationUserId != null && existing.Id != null
               && string.Equals(UserOrgContext.Id15(existing.Id), UserOrgContext.Id15(policy.IntegrationUserId), StringComparison.Ordinal);

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
        private static JObject DesiredFields(SourceUser source, UserOrgContext org, SfAttributeMap map, UserPlan plan)
        {
            var desired = new JObject();
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
            if (desired["Email"] is JValue email && email.Type == JTokenType.String && !EmailShape.IsMatch((string)email))
            {
                plan.Fail("InvalidEmail", $"Email '{email}' is not a valid email address.", "Fix the email address in the source.");
                return null;
            }
            return desired;
        }

        private static bool ResolveProfile(SourceUser source, JObject desired, UserOrgContext org, SfAttributeMap map, UserPlan plan)
        {
            string asked = desired.Value<string>("ProfileId") ?? source.ProfileName;
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

        private static void PlanNewUser(SourceUser source, JObject desired, UserOrgContext org, SfAttributeMap map, UserSyncPolicy policy, UserPlan plan)
        {
            if (policy.MissingUserIsError)
            {
                plan.Fail("UserNotFound", $"No Salesforce user has the Username '{source.Username}'.", "Check the username (Get-SfUser shows the org's users).");
                return;
            }
            if (source.Deleted)
            {
                plan.Skip("The user is deleted in the source and does not exist in Salesforce: nothing to do.", null);
                return;
            }
            if (source.Enabled == false && !policy.ProvisionDisabledUsers)
            {
                plan.Skip("The user is disabled in the source, and provisioning disabled users is off.", "Create the connection with -ProvisionDisabledUsers to create disabled users as inactive.");
                return;
            }
            if (!policy.CreateUsers)
            {
                plan.Skip("The user does not exist in Salesforce, and user creation is off for this connection.", "Create the connection with -CreateUsers $true to create users.");
                return;
            }

            var create = new JObject();
            foreach (var property in desired.Properties())
            {
                if (property.Value.Type == JTokenType.Null) continue;
                FieldInfo field = org.UserDescribe.Field(property.Name);
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
            if (source.Enabled == false) create["IsActive"] = false;

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
            if (source.Enabled == false) plan.Message = "Created inactive (the user is disabled in the source; provisioning disabled users is on).";
        }

        private static void PlanExistingUser(SourceUser source, ExistingUser existing, JObject desired, UserOrgContext org, SfAttributeMap map, UserSyncPolicy policy, UserPlan plan)
        {
            var update = new JObject();
            var notUpdated = new System.Collections.Generic.List<string>();
            foreach (var property in desired.Properties())
            {
                FieldInfo field = org.UserDescribe.Field(property.Name);
                if (field == null || !field.Updateable || field.Name == "Username") continue;
                if (FieldValues.AreEqual(field, property.Value, existing.Record[field.Name])) continue;
                bool updateFlag = map[field.Name]?.Update ?? (field.Name == "ProfileId");
                if (updateFlag) update[field.Name] = property.Value;
                else notUpdated.Add(field.Name);
            }

            bool wantsInactive = source.WantsInactive;
            bool toggle = source.Deleted ? policy.DeprovisionUsers : policy.DisableUsers;
            string toggleName = source.Deleted ? "-DeprovisionUsers" : "-DisableUsers";
            bool freezeMode = policy.DisableAction == SfDisableAction.Freeze;

            if (wantsInactive && existing.IsActive && !(freezeMode && existing.IsFrozen))
            {
                string why = source.Deleted ? "deleted" : "disabled";
                if (!toggle)
                {
                    plan.Skip($"The user is {why} in the source, but {(source.Deleted ? "deprovisioning" : "disabling")} users is off for this connection.", $"Create the connection with {toggleName} $true to {(freezeMode ? "freeze" : "disable")} such users.");
                    return;
                }
                if (IsIntegrationUser(existing, policy) && !policy.MaySignOutIntegrationUser)
                {
                    plan.Fail("IntegrationUserProtected",
                        $"{existing.Record.Value<string>("Username") ?? source.Username} is the user this connection signs in as; {(freezeMode ? "freezing" : "deactivating")} it would make every later call fail (InactiveUser).",
                        "Leave the integration user out of the source's leavers, or run again with -Force if this connection is being retired.");
                    return;
                }
                if (freezeMode && existing.Record.Value<string>("UserType") == "Guest")
                {
                    plan.Skip("Guest users cannot be frozen in Salesforce.", "Use -DisableAction Disable for guest users, or deactivate the site's guest user in Setup.");
                    return;
                }
                if (freezeMode)
                {
                    plan.Freeze = true;
                    plan.UserLoginId = existing.UserLoginId;
                    plan.Action = SfSyncAction.Frozen;
                }
                else
                {
                    update["IsActive"] = false;
                    plan.Action = SfSyncAction.Disabled;
                }
            }
            else if (!wantsInactive && (!existing.IsActive || (freezeMode && existing.IsFrozen)))
            {
                if (!policy.UpdateUsers)
                {
                    plan.Skip("The user is enabled in the source but inactive or frozen in Salesforce, and updating users is off for this connection.", "Create the connection with -UpdateUsers $true to reactivate users.");
                    return;
                }
                if (!existing.IsActive) update["IsActive"] = true;
                if (freezeMode && existing.IsFrozen)
                {
                    plan.Freeze = false;
                    plan.UserLoginId = existing.UserLoginId;
                }
                plan.Action = SfSyncAction.Reactivated;
            }
            else
            {
                plan.Action = SfSyncAction.Unchanged;
            }

            bool fieldChanges = update.Properties().Any(p => p.Name != "IsActive");
            if (fieldChanges && !policy.UpdateUsers)
            {
                foreach (var p in update.Properties().Where(p => p.Name != "IsActive").ToList()) { notUpdated.Add(p.Name); p.Remove(); }
                if (plan.Action == SfSyncAction.Unchanged)
                {
                    plan.Skip($"Fields differ ({string.Join(", ", notUpdated)}), but updating users is off for this connection.", "Create the connection with -UpdateUsers $true to update users.");
                    return;
                }
            }
            if (plan.Action == SfSyncAction.Unchanged && update.HasValues) plan.Action = SfSyncAction.Updated;
            if (update.HasValues) plan.Update = update;
            plan.ChangedFields.AddRange(update.Properties().Select(p => p.Name));
            if (plan.Freeze.HasValue) plan.ChangedFields.Add("UserLogin.IsFrozen");

            var notes = new System.Collections.Generic.List<string>();
            if (notUpdated.Count > 0) notes.Add($"Not updated because their Update flag is off: {string.Join(", ", notUpdated)}.");
            if (update["Email"] != null) notes.Add("Email changed: Salesforce may send the user a confirmation mail.");
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
