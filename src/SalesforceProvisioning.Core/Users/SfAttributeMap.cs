using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// How one Salesforce field gets its value from a source object: from the first present source
    /// property of <see cref="SourceProperties"/>, or computed by <see cref="Compute"/>, else
    /// <see cref="Default"/>. The flags are the seeds' per-attribute options, plus clearing.
    /// </summary>
    public sealed class SfFieldMapping
    {
        public SfFieldMapping(string field, IReadOnlyList<string> sourceProperties = null, Func<object, object> compute = null)
        {
            if (string.IsNullOrWhiteSpace(field)) throw new ArgumentException("A mapping needs a Salesforce field name.", nameof(field));
            Field = SfAttributeMap.CanonicalField(field.Trim());
            SourceProperties = sourceProperties ?? Array.Empty<string>();
            Compute = compute;
        }

        public string Field { get; }
        public IReadOnlyList<string> SourceProperties { get; }
        public Func<object, object> Compute { get; }
        public string ComputeText { get; set; }
        public object Default { get; set; }

        /// <summary>Whether existing users get this field updated (the seeds' Update checkbox).</summary>
        public bool Update { get; set; }

        /// <summary>A required field made optional: records without it may still update existing users.</summary>
        public bool Optional { get; set; }

        /// <summary>An empty source value leaves Salesforce alone instead of clearing the field.</summary>
        public bool KeepWhenEmpty { get; set; }

        public string SourceText => Compute != null ? "{ " + (ComputeText ?? "script") + " }" : string.Join(" | ", SourceProperties);

        public override string ToString() => $"{Field} <- {SourceText}{(Update ? " (update)" : "")}";
    }

    /// <summary>
    /// The attribute mapping of a sync: Salesforce fields from source properties. The default map
    /// binds common source property names (AD, Entra, HR exports) by name.
    /// </summary>
    public sealed class SfAttributeMap
    {
        /// <summary>Source names that say whether the person is enabled, and whether deleted.</summary>
        public static readonly IReadOnlyList<string> EnabledProperties = new[] { "Enabled", "IsActive", "AccountEnabled", "Active" };
        public static readonly IReadOnlyList<string> DeletedProperties = new[] { "Deleted", "IsDeleted" };
        public static readonly IReadOnlyList<string> ProfileProperties = new[] { "ProfileName", "Profile" };

        /// <summary>Pseudo-fields for access rather than User fields: lists of permission set and public group names.</summary>
        public const string PermissionSetsField = "PermissionSets";
        public const string GroupsField = "Groups";
        public static readonly IReadOnlyList<string> PermissionSetProperties = new[] { PermissionSetsField, "PermissionSet" };
        public static readonly IReadOnlyList<string> GroupProperties = new[] { GroupsField, "PublicGroups" };

        /// <summary>Lists of permission set group and permission set licence names (DeveloperName or label).</summary>
        public const string PermissionSetGroupsField = "PermissionSetGroups";
        public const string PermissionSetLicensesField = "PermissionSetLicenses";
        public static readonly IReadOnlyList<string> PermissionSetGroupProperties = new[] { PermissionSetGroupsField, "PermissionSetGroup" };
        public static readonly IReadOnlyList<string> PermissionSetLicenseProperties = new[] { PermissionSetLicensesField, "PermissionSetLicense" };

        /// <summary>When the access the sync assigns ends (a contractor's end date): PermissionSetAssignment.ExpirationDate.</summary>
        public const string AccessEndDateField = "AccessEndDate";
        public static readonly IReadOnlyList<string> AccessEndDateProperties = new[] { AccessEndDateField, "EndDate", "ContractEndDate", "EmployeeLeaveDateTime" };

        private static readonly string[] AccessFields = { PermissionSetsField, GroupsField, PermissionSetGroupsField, PermissionSetLicensesField };

        public static bool IsAccessField(string field) => NameIn(AccessFields, field);

        /// <summary>
        /// Whether the names hold this one, ignoring case. A loop over the list itself: these run for every
        /// mapping of every input, where LINQ's Contains and a foreach through IReadOnlyList allocated an
        /// enumerator each time.
        /// </summary>
        internal static bool NameIn(IReadOnlyList<string> names, string name)
        {
            for (int i = 0; i < names.Count; i++)
                if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }

        /// <summary>Map entries that are not written to User fields: access lists, the access end date and the community account.</summary>
        public static bool IsPseudoField(string field) => IsAccessField(field) || string.Equals(field, "AccountId", StringComparison.OrdinalIgnoreCase)
            || string.Equals(field, "RecordType", StringComparison.OrdinalIgnoreCase) || string.Equals(field, AccessEndDateField, StringComparison.OrdinalIgnoreCase);

        /// <summary>Names a map may use for a User field it resolves rather than copies: a role name, a manager's key.</summary>
        public static string CanonicalField(string field)
        {
            if (string.Equals(field, "UserRole", StringComparison.OrdinalIgnoreCase) || string.Equals(field, "Role", StringComparison.OrdinalIgnoreCase)) return "UserRoleId";
            if (string.Equals(field, "Manager", StringComparison.OrdinalIgnoreCase)) return "ManagerId";
            return field;
        }

        /// <summary>User fields a manager may be named by, besides a Salesforce Id.</summary>
        public static readonly IReadOnlyList<string> ManagerKeyFields = new[] { "Username", "FederationIdentifier", "EmployeeNumber" };

        /// <summary>The fields Salesforce requires on a new User.</summary>
        public static readonly IReadOnlyList<string> RequiredUserFields = new[]
        {
            "Username", "LastName", "Email", "Alias", "TimeZoneSidKey", "LocaleSidKey", "EmailEncodingKey", "LanguageLocaleKey", "ProfileId",
        };

        private static readonly (string Field, string[] Sources)[] CommonUserSources =
        {
            ("Username", new[] { "Username", "UserPrincipalName", "userPrincipalName", "UPN" }),
            ("Email", new[] { "Email", "mail", "EmailAddress", "PrimaryEmail" }),
            ("FirstName", new[] { "FirstName", "givenName", "GivenName" }),
            ("LastName", new[] { "LastName", "sn", "Surname", "surname", "FamilyName" }),
            ("Alias", new[] { "Alias" }),
            ("CommunityNickname", new[] { "CommunityNickname", "Nickname" }),
            ("Title", new[] { "Title", "title", "JobTitle", "jobTitle" }),
            ("Department", new[] { "Department", "department" }),
            ("CompanyName", new[] { "CompanyName", "Company", "company" }),
            ("Phone", new[] { "Phone", "telephoneNumber", "OfficePhone", "BusinessPhone", "BusinessPhones" }),
            ("MobilePhone", new[] { "MobilePhone", "mobile", "Mobile" }),
            ("EmployeeNumber", new[] { "EmployeeNumber", "employeeID", "EmployeeId", "employeeNumber" }),
            ("FederationIdentifier", new[] { "FederationIdentifier", "ImmutableId", "objectGUID" }),
            // Resolved, not copied: a role by Id, DeveloperName or name; a manager by Id or the -ManagerKey field.
            ("UserRoleId", new[] { "UserRoleId", "UserRole", "Role", "RoleName" }),
            ("ManagerId", new[] { "ManagerId", "Manager" }),
            ("City", new[] { "City", "l" }),
            ("Country", new[] { "Country", "co" }),
            ("ProfileId", new[] { "ProfileId" }),
            ("TimeZoneSidKey", new[] { "TimeZoneSidKey" }),
            ("LocaleSidKey", new[] { "LocaleSidKey" }),
            ("EmailEncodingKey", new[] { "EmailEncodingKey" }),
            ("LanguageLocaleKey", new[] { "LanguageLocaleKey" }),
        };

        private static readonly (string Field, string[] Sources)[] CommonPersonSources =
        {
            ("Email", new[] { "Email", "mail", "EmailAddress", "PrimaryEmail" }),
            ("FirstName", new[] { "FirstName", "givenName", "GivenName" }),
            ("LastName", new[] { "LastName", "sn", "Surname", "surname", "FamilyName" }),
            ("Title", new[] { "Title", "title", "JobTitle", "jobTitle" }),
            ("Phone", new[] { "Phone", "telephoneNumber", "OfficePhone", "BusinessPhone", "BusinessPhones" }),
            ("MobilePhone", new[] { "MobilePhone", "mobile", "Mobile" }),
            ("Department", new[] { "Department", "department" }),
            ("Company", new[] { "Company", "company", "CompanyName", "Organization" }),
            ("LeadSource", new[] { "LeadSource" }),
        };

        private readonly List<SfFieldMapping> _mappings = new List<SfFieldMapping>();

        public IReadOnlyList<SfFieldMapping> Mappings => _mappings;

        /// <summary>A built-in map: fields the org lacks are left out instead of refused.</summary>
        public bool IsBuiltIn { get; private set; }

        /// <summary>Profile (by name or Id) for users whose source names none.</summary>
        public string DefaultProfile { get; set; }

        /// <summary>User fields existing users are matched by, in order of precedence (Username when empty).</summary>
        public IReadOnlyList<string> MatchBy { get; set; } = DefaultMatchBy;

        public static readonly IReadOnlyList<string> DefaultMatchBy = new[] { "Username" };

        /// <summary>The User field a source's manager value names (Username, FederationIdentifier or EmployeeNumber).</summary>
        public string ManagerKey { get; set; } = "Username";

        /// <summary>The map used when none is given: common property names, Email updated as in the seeds.</summary>
        public static SfAttributeMap CreateDefault(bool updateAll = true)
        {
            var map = new SfAttributeMap { IsBuiltIn = true };
            foreach (var (field, sources) in CommonUserSources)
            {
                map.Add(new SfFieldMapping(field, sources)
                {
                    Update = updateAll || field == "Email",
                    // Optional fields of the default map never clear what the source simply does not carry.
                    KeepWhenEmpty = true,
                });
            }
            return map;
        }

        /// <summary>This map with another default profile (the original stays as it was).</summary>
        public SfAttributeMap WithDefaultProfile(string profile)
        {
            var copy = Copy();
            copy.DefaultProfile = profile;
            return copy;
        }

        /// <summary>This map matching by other fields, or naming managers by another key (the original stays as it was).</summary>
        public SfAttributeMap WithMatching(IReadOnlyList<string> matchBy, string managerKey)
        {
            var copy = Copy();
            if (matchBy != null && matchBy.Count > 0) copy.MatchBy = matchBy;
            if (managerKey != null) copy.ManagerKey = managerKey;
            return copy;
        }

        private SfAttributeMap Copy()
        {
            var copy = new SfAttributeMap { DefaultProfile = DefaultProfile, IsBuiltIn = IsBuiltIn, MatchBy = MatchBy, ManagerKey = ManagerKey };
            copy._mappings.AddRange(_mappings);
            return copy;
        }

        /// <summary>The map used for Leads and Contacts when none is given: common person properties, all updated.</summary>
        public static SfAttributeMap CreateDefaultForPeople()
        {
            var map = new SfAttributeMap { IsBuiltIn = true };
            foreach (var (field, sources) in CommonPersonSources)
                map.Add(new SfFieldMapping(field, sources) { Update = true, KeepWhenEmpty = true });
            return map;
        }

        public SfFieldMapping this[string field]
        {
            get
            {
                // A loop, not a query: asked for several fields of every user of a run, where a closure per call added up.
                string canonical = CanonicalField(field);
                foreach (SfFieldMapping mapping in _mappings)
                    if (string.Equals(mapping.Field, canonical, StringComparison.OrdinalIgnoreCase)) return mapping;
                return null;
            }
        }

        /// <summary>The map as JSON for a saved rule; script blocks are kept as their text.</summary>
        public string ToJson() => Newtonsoft.Json.JsonConvert.SerializeObject(new
        {
            DefaultProfile,
            MatchBy,
            ManagerKey,
            Mappings = _mappings.Select(m => new
            {
                m.Field, Sources = m.SourceProperties, Script = m.Compute != null ? m.ComputeText : null,
                m.Update, m.Optional, m.KeepWhenEmpty, m.Default,
            }),
        });

        /// <summary>A saved map back; <paramref name="compile"/> turns script text into a function (the cmdlets' job).</summary>
        public static SfAttributeMap FromJson(string json, Func<string, Func<object, object>> compile)
        {
            var saved = SalesforceJson.ParseObject(json);
            var map = new SfAttributeMap { DefaultProfile = saved.Value<string>("DefaultProfile") };
            if (saved["MatchBy"] is Newtonsoft.Json.Linq.JArray matchBy && matchBy.Count > 0) map.MatchBy = matchBy.ToObject<string[]>();
            if (saved.Value<string>("ManagerKey") is string managerKey) map.ManagerKey = managerKey;
            foreach (Newtonsoft.Json.Linq.JObject m in saved["Mappings"])
            {
                string script = m.Value<string>("Script");
                var mapping = script != null
                    ? new SfFieldMapping(m.Value<string>("Field"), compute: compile(script)) { ComputeText = script }
                    : new SfFieldMapping(m.Value<string>("Field"), m["Sources"].ToObject<string[]>());
                mapping.Update = m.Value<bool>("Update");
                mapping.Optional = m.Value<bool>("Optional");
                mapping.KeepWhenEmpty = m.Value<bool>("KeepWhenEmpty");
                mapping.Default = (m["Default"] as Newtonsoft.Json.Linq.JValue)?.Value;
                map.Add(mapping);
            }
            return map;
        }

        /// <summary>Leaves out mappings of fields the org does not have (for built-in maps).</summary>
        public void RemoveWhere(Func<SfFieldMapping, bool> unknown) => _mappings.RemoveAll(m => unknown(m));

        public void Add(SfFieldMapping mapping)
        {
            if (this[mapping.Field] != null)
                throw new SalesforceConfigurationException("Mapping", $"The field '{mapping.Field}' is mapped twice.", "Map each Salesforce field once.");
            _mappings.Add(mapping);
        }

        /// <summary>Reads a source object into the field values this map produces, and the person's state.</summary>
        public SourceUser Evaluate(object input, int index, Func<object, string, (bool Found, object Value)> readProperty)
        {
            var user = new SourceUser(input, index);
            foreach (SfFieldMapping mapping in _mappings)
            {
                object value;
                bool present;
                try
                {
                    (present, value) = Read(mapping, input, readProperty);
                }
                catch (Exception ex)
                {
                    user.AddProblem(mapping.Field, $"computing {mapping.Field} failed: {ex.Message}", "Fix the script block in the attribute map.");
                    continue;
                }
                if (!present && mapping.Default == null) continue;
                if (IsEmpty(value) && mapping.Default != null) value = mapping.Default;
                if (IsAccessField(mapping.Field))
                {
                    SetAccess(user, mapping.Field, value);
                    continue;
                }
                if (IsEmpty(value) && mapping.KeepWhenEmpty) continue;
                user.Fields[mapping.Field] = IsEmpty(value) ? null : value;
            }
            if (this[PermissionSetsField] == null) ReadAccess(input, PermissionSetProperties, PermissionSetsField, readProperty, user);
            if (this[GroupsField] == null) ReadAccess(input, GroupProperties, GroupsField, readProperty, user);
            if (this[PermissionSetGroupsField] == null) ReadAccess(input, PermissionSetGroupProperties, PermissionSetGroupsField, readProperty, user);
            if (this[PermissionSetLicensesField] == null) ReadAccess(input, PermissionSetLicenseProperties, PermissionSetLicensesField, readProperty, user);
            ReadAccessEndDate(input, user, readProperty);
            // User.AccountId is computed by Salesforce: a mapped or given AccountId names the account of the
            // person's contact; RecordType says Contact or Lead for the Leads and Contacts target.
            user.AccountId = TakePseudo(input, user, "AccountId", readProperty);
            user.RecordType = TakePseudo(input, user, "RecordType", readProperty);
            user.Enabled = ReadFlag(input, EnabledProperties, state: true, readProperty, user);
            user.Deleted = ReadFlag(input, DeletedProperties, state: false, readProperty, user) ?? false;
            if (this["ProfileId"] == null || !user.Fields.ContainsKey("ProfileId"))
            {
                var (found, profile) = FirstPresent(input, ProfileProperties, readProperty);
                if (found && !IsEmpty(profile)) user.ProfileName = Convert.ToString(profile, System.Globalization.CultureInfo.InvariantCulture);
            }
            return user;
        }

        private string TakePseudo(object input, SourceUser user, string name, Func<object, string, (bool Found, object Value)> readProperty)
        {
            if (user.Fields.TryGetValue(name, out object mapped))
            {
                user.Fields.Remove(name);
                return IsEmpty(mapped) ? null : Convert.ToString(mapped, System.Globalization.CultureInfo.InvariantCulture);
            }
            if (this[name] != null) return null;
            var (found, value) = FirstPresent(input, new[] { name }, readProperty);
            return found && !IsEmpty(value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
        }

        private static void ReadAccess(object input, IReadOnlyList<string> names, string field, Func<object, string, (bool Found, object Value)> readProperty, SourceUser user)
        {
            var (found, value) = FirstPresent(input, names, readProperty);
            // A null list (for example Get-SfUser without -IncludePermissionSets) says nothing; an empty one means none.
            if (found && value != null) SetAccess(user, field, value);
        }

        /// <summary>A list of names: several values, or one text split on ';'; empty means none.</summary>
        private static void SetAccess(SourceUser user, string field, object value)
        {
            IEnumerable<object> items = value is string || !(value is IEnumerable list) ? new[] { value } : list.Cast<object>();
            var names = items.Where(v => !IsEmpty(v))
                .SelectMany(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture).Split(';'))
                .Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (string.Equals(field, PermissionSetsField, StringComparison.OrdinalIgnoreCase)) user.PermissionSets = names;
            else if (string.Equals(field, PermissionSetGroupsField, StringComparison.OrdinalIgnoreCase)) user.PermissionSetGroups = names;
            else if (string.Equals(field, PermissionSetLicensesField, StringComparison.OrdinalIgnoreCase)) user.PermissionSetLicenses = names;
            else user.Groups = names;
        }

        /// <summary>
        /// The end date of the access the sync assigns: a mapped AccessEndDate, else the first present of
        /// AccessEndDateProperties. An instant stays that instant; a date without a time (a contract's last
        /// day) lasts through that day: the access expires at 00:00 of the next day, in the sync machine's zone.
        /// </summary>
        private void ReadAccessEndDate(object input, SourceUser user, Func<object, string, (bool Found, object Value)> readProperty)
        {
            bool found;
            object value;
            if (user.Fields.TryGetValue(AccessEndDateField, out value))
            {
                user.Fields.Remove(AccessEndDateField);
                found = true;
            }
            else if (this[AccessEndDateField] != null) return;
            else (found, value) = FirstPresent(input, AccessEndDateProperties, readProperty);
            if (!found) return;
            user.AccessEndDateGiven = true;
            if (IsEmpty(value)) return;
            DateTimeOffset? end = AccessEnd(value);
            if (end == null)
                user.AddProblem(AccessEndDateField, $"'{value}' is not a date or date-time.", "Give the end date as yyyy-MM-dd, or an ISO 8601 date-time with its offset (2027-01-31T17:00:00Z).");
            user.AccessExpiresAt = end;
        }

        internal static DateTimeOffset? AccessEnd(object value) => AccessEnd(value, TimeZoneInfo.Local);

        /// <summary>The end of access by the one source time rule (<see cref="Instant.From(DateTime)"/>); a day alone lasts through that day.</summary>
        internal static DateTimeOffset? AccessEnd(object value, TimeZoneInfo zone)
        {
            if (!Instant.TryFromSource(value, zone, out DateTimeOffset end, out bool dateOnly)) return null;
            if (dateOnly)
            {
                DateTime day = value is DateTime date ? date.Date : TimeZoneInfo.ConvertTime(end, zone).Date;
                end = Instant.From(DateTime.SpecifyKind(day.AddDays(1), DateTimeKind.Unspecified), zone);
            }
            return end.ToUniversalTime();
        }

        private static (bool, object) Read(SfFieldMapping mapping, object input, Func<object, string, (bool Found, object Value)> readProperty)
        {
            if (mapping.Compute != null) return (true, mapping.Compute(input));
            return FirstPresent(input, mapping.SourceProperties, readProperty);
        }

        private static (bool, object) FirstPresent(object input, IReadOnlyList<string> names, Func<object, string, (bool Found, object Value)> readProperty)
        {
            for (int i = 0; i < names.Count; i++)
            {
                var (found, value) = readProperty(input, names[i]);
                if (found) return (true, NameIn(FirstValueProperties, names[i]) ? FirstValue(value) : value);
            }
            return (false, null);
        }

        /// <summary>
        /// Source properties that are lists only by their type: Microsoft Graph's businessPhones is a string
        /// collection in which only one number can be set (Graph's user resource), so a field takes its first value.
        /// </summary>
        private static readonly string[] FirstValueProperties = { "BusinessPhones" };

        private static object FirstValue(object value)
            => value is string || !(value is IEnumerable list) ? value : list.Cast<object>().FirstOrDefault(v => !IsEmpty(v));

        private static bool? ReadFlag(object input, IReadOnlyList<string> names, bool state, Func<object, string, (bool Found, object Value)> readProperty, SourceUser user)
        {
            var (found, value) = FirstPresent(input, names, readProperty);
            if (!found || IsEmpty(value)) return null;
            bool parsed;
            if (state ? YesNo.TryParseState(value, out parsed) : YesNo.TryParse(value, out parsed)) return parsed;
            string text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture).Trim();
            user.AddProblem(names[0], $"'{text}' is not a yes/no value.", $"Give {names[0]} as one of {(state ? YesNo.StateWords : YesNo.Words)}.");
            return null;
        }

        internal static bool IsEmpty(object value)
        {
            if (value == null) return true;
            if (value is string s) return s.Trim().Length == 0;
            if (value is IEnumerable e) return !e.Cast<object>().Any(v => !IsEmpty(v));
            return false;
        }
    }
}
