using System;
using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The org's roles, read once per run, so a source can name a user's role by its name or DeveloperName
    /// instead of its Id. DeveloperName is unique in the org and wins; a Name shared by several roles is
    /// ambiguous and refused for that user.
    /// </summary>
    public sealed class RoleDirectory
    {
        private readonly List<SfRole> _roles;

        public RoleDirectory(IEnumerable<SfRole> roles) { _roles = roles.ToList(); }

        public static RoleDirectory Empty => new RoleDirectory(Array.Empty<SfRole>());

        public int Count => _roles.Count;

        /// <summary>The role's Id for an Id, DeveloperName or Name; null with a problem and remedy otherwise.</summary>
        public string Resolve(string asked, out string errorCode, out string problem, out string remedy)
        {
            errorCode = problem = remedy = null;
            string text = asked.Trim();
            if ((text.Length == 15 || text.Length == 18) && text.StartsWith("00E", StringComparison.Ordinal))
            {
                SfRole byId = _roles.FirstOrDefault(r => UserOrgContext.Id15(r.Id) == UserOrgContext.Id15(text));
                if (byId != null) return byId.Id;
            }
            SfRole byApiName = _roles.FirstOrDefault(r => string.Equals(r.DeveloperName, text, StringComparison.OrdinalIgnoreCase));
            if (byApiName != null) return byApiName.Id;
            var byName = _roles.Where(r => string.Equals(r.Name, text, StringComparison.OrdinalIgnoreCase)).ToList();
            if (byName.Count == 1) return byName[0].Id;
            if (byName.Count > 1)
            {
                errorCode = "AmbiguousRole";
                problem = $"UserRoleId: {byName.Count} roles are named '{text}' ({string.Join(", ", byName.Select(r => r.DeveloperName))}).";
                remedy = "Name the role by its DeveloperName (unique in the org) in the source.";
                return null;
            }
            errorCode = "UnknownRole";
            string close = string.Join(", ", _roles.OrderBy(r => Closeness(r, text)).Take(3).Select(r => $"'{r.Name}' ({r.DeveloperName})"));
            problem = $"UserRoleId: role '{text}' does not exist in this org" + (close.Length > 0 ? $" (closest: {close})." : " (the org has no roles).");
            remedy = "Use a role's name or DeveloperName as Setup > Roles shows it, or create the role first.";
            return null;
        }

        private static int Closeness(SfRole role, string text)
            => Math.Min(SObjectDescribe.Distance((role.Name ?? "").ToLowerInvariant(), text.ToLowerInvariant()), SObjectDescribe.Distance((role.DeveloperName ?? "").ToLowerInvariant(), text.ToLowerInvariant()));
    }
}
