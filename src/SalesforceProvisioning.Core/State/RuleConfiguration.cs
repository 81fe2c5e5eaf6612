using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SalesforceProvisioning
{
    /// <summary>
    /// What a rule's run does with the same source row besides the row itself: the attribute map and the
    /// connection's provisioning preferences. Part of every delta fingerprint, so a changed map or preference
    /// (Set-SfProvisioningRule, a re-saved connection) reaches unchanged rows without -Full.
    /// </summary>
    public static class RuleConfiguration
    {
        public static string Of(SfProvisioningConnection c, SfAttributeMap map, params string[] options)
        {
            var text = new StringBuilder();
            text.Append("map=").Append(map?.ToJson()).Append('\n');
            foreach (var (name, value) in new (string, object)[]
            {
                ("target", c.Target), ("create", c.CreateUsers), ("update", c.UpdateUsers), ("disable", c.DisableUsers),
                ("deprovision", c.DeprovisionUsers), ("disableAction", c.DisableAction), ("provisionDisabled", c.ProvisionDisabledUsers),
                ("permissionSets", c.PermissionSetManagement), ("removeAction", c.RemoveAction), ("allowDelete", c.AllowDelete),
                ("account", c.AccountId), ("recordType", c.RecordType), ("company", c.DefaultCompany), ("deleteGroups", c.DeleteGroups),
            })
                text.Append(name).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
            // Appended only when set, so rules saved before these settings keep their fingerprints.
            if (c.LeadClosedStatus != null) text.Append("leadClosed=").Append(c.LeadClosedStatus).Append('\n');
            if (c.LeadReopenStatus != null) text.Append("leadReopen=").Append(c.LeadReopenStatus).Append('\n');
            foreach (string option in options ?? Array.Empty<string>()) text.Append("option=").Append(option).Append('\n');
            using (var sha = SHA256.Create())
                return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
        }
    }
}
