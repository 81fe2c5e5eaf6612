using System;
using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning
{
    /// <summary>A group the module provisioned: which source group (stable id) it came from.</summary>
    public sealed class GroupIdentity
    {
        public string SourceId { get; set; }
        public string SalesforceId { get; set; }
        public string Name { get; set; }
        public DateTimeOffset LastSynced { get; set; }
    }

    /// <summary>
    /// Remembers source group id -> Salesforce group per org, so a renamed source group renames its
    /// Salesforce group and a group that left the source scope can be found and deleted. The state
    /// store (<see cref="StateStore"/>) keeps them.
    /// </summary>
    public interface IGroupIdentityStore
    {
        GroupIdentity Find(string orgId, string sourceId);
        IReadOnlyList<GroupIdentity> All(string orgId);
        void Save(string orgId, GroupIdentity identity);
        void Remove(string orgId, string sourceId);
    }
}
