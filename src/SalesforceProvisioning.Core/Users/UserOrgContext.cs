using System;
using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning
{
    public sealed class SfProfile
    {
        public SfProfile(string id, string name, string userType, string userLicenseId = null)
        {
            Id = id;
            Name = name;
            UserType = userType;
            UserLicenseId = userLicenseId;
        }

        public string Id { get; }
        public string Name { get; }
        public string UserType { get; }

        /// <summary>The licence a user of this profile takes a seat of.</summary>
        public string UserLicenseId { get; }
    }

    /// <summary>What a user sync needs to know about the org before planning: fields, profiles, defaults.</summary>
    public sealed class UserOrgContext
    {
        private readonly Dictionary<string, SfProfile> _profilesByName;
        private readonly Dictionary<string, SfProfile> _profilesById;

        public UserOrgContext(SObjectDescribe userDescribe, IEnumerable<SfProfile> profiles, IDictionary<string, string> localeDefaults)
        {
            UserDescribe = userDescribe;
            var list = profiles.ToList();
            _profilesByName = list.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
            _profilesById = list.ToDictionary(p => Id15(p.Id), StringComparer.Ordinal);
            LocaleDefaults = new Dictionary<string, string>(localeDefaults, StringComparer.OrdinalIgnoreCase);
        }

        public SObjectDescribe UserDescribe { get; }

        /// <summary>The org's roles, read once per run (UserRoleId from a role's name).</summary>
        public RoleDirectory Roles { get; set; } = RoleDirectory.Empty;

        /// <summary>Managers by the map's ManagerKey, learned window by window and from this run's creates.</summary>
        public ManagerDirectory Managers { get; set; } = new ManagerDirectory("Username");

        /// <summary>TimeZoneSidKey, LocaleSidKey, EmailEncodingKey and LanguageLocaleKey of the integration user.</summary>
        public IReadOnlyDictionary<string, string> LocaleDefaults { get; }

        public IEnumerable<SfProfile> Profiles => _profilesByName.Values;

        /// <summary>A profile by Id (15 or 18 characters) or by name, case-insensitive; null when unknown.</summary>
        public SfProfile FindProfile(string idOrName)
        {
            if (string.IsNullOrWhiteSpace(idOrName)) return null;
            string text = idOrName.Trim();
            if ((text.Length == 15 || text.Length == 18) && text.StartsWith("00e", StringComparison.Ordinal) && _profilesById.TryGetValue(Id15(text), out SfProfile byId))
                return byId;
            return _profilesByName.TryGetValue(text, out SfProfile byName) ? byName : null;
        }

        public SfProfile ProfileById(string id) => id != null && _profilesById.TryGetValue(Id15(id), out SfProfile p) ? p : null;

        internal static string Id15(string id) => id.Length >= 15 ? id.Substring(0, 15) : id;
    }
}
