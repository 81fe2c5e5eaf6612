using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Newtonsoft.Json;

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
    /// Salesforce group and a group that left the source scope can be found and deleted. The durable
    /// state store of a later version takes this interface over.
    /// </summary>
    public interface IGroupIdentityStore
    {
        GroupIdentity Find(string orgId, string sourceId);
        IReadOnlyList<GroupIdentity> All(string orgId);
        void Save(string orgId, GroupIdentity identity);
        void Remove(string orgId, string sourceId);
    }

    /// <summary>
    /// The identity store as one JSON file: <c>{ "orgs": { "00D...": { "sourceId": { SourceId, SalesforceId, Name, LastSynced } } } }</c>,
    /// written atomically (temporary file, then rename). No secrets are ever written to it.
    /// </summary>
    public sealed class JsonGroupIdentityStore : IGroupIdentityStore
    {
        private readonly string _path;
        private readonly object _lock = new object();
        private Dictionary<string, Dictionary<string, GroupIdentity>> _orgs;

        public JsonGroupIdentityStore(string path)
        {
            _path = path ?? throw new ArgumentNullException(nameof(path));
        }

        /// <summary>The default file: the user's local application data folder, SalesforceProvisioning/group-identities.json.</summary>
        public string FilePath => _path;

        public static string DefaultPath
        {
            get
            {
                string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
                if (string.IsNullOrEmpty(root)) root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
                return Path.Combine(root, "SalesforceProvisioning", "group-identities.json");
            }
        }


        public GroupIdentity Find(string orgId, string sourceId)
        {
            lock (_lock)
            {
                return Org(orgId).TryGetValue(sourceId, out GroupIdentity identity) ? identity : null;
            }
        }

        public IReadOnlyList<GroupIdentity> All(string orgId)
        {
            lock (_lock) return Org(orgId).Values.ToList();
        }

        public void Save(string orgId, GroupIdentity identity)
        {
            lock (_lock)
            {
                Org(orgId)[identity.SourceId] = identity;
                Write();
            }
        }

        public void Remove(string orgId, string sourceId)
        {
            lock (_lock)
            {
                if (Org(orgId).Remove(sourceId)) Write();
            }
        }

        private Dictionary<string, GroupIdentity> Org(string orgId)
        {
            if (_orgs == null) _orgs = Load();
            string key = UserOrgContext.Id15(orgId);
            if (!_orgs.TryGetValue(key, out var groups)) _orgs[key] = groups = new Dictionary<string, GroupIdentity>(StringComparer.Ordinal);
            return groups;
        }

        private Dictionary<string, Dictionary<string, GroupIdentity>> Load()
        {
            if (!File.Exists(_path)) return new Dictionary<string, Dictionary<string, GroupIdentity>>();
            var file = JsonConvert.DeserializeObject<StoreFile>(File.ReadAllText(_path));
            return (file?.Orgs ?? new Dictionary<string, Dictionary<string, GroupIdentity>>())
                .ToDictionary(o => o.Key, o => new Dictionary<string, GroupIdentity>(o.Value, StringComparer.Ordinal));
        }

        private void Write()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path)));
            string temporary = _path + ".tmp";
            File.WriteAllText(temporary, JsonConvert.SerializeObject(new StoreFile { Orgs = _orgs }, Formatting.Indented));
            if (File.Exists(_path)) File.Replace(temporary, _path, null);
            else File.Move(temporary, _path);
        }

        private sealed class StoreFile
        {
            public int Version { get; set; } = 1;
            public Dictionary<string, Dictionary<string, GroupIdentity>> Orgs { get; set; }
        }
    }
}
