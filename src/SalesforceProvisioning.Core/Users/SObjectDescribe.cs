using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>The parts of an sObject describe the module uses to check and convert field values.</summary>
    public sealed class SObjectDescribe
    {
        private readonly Dictionary<string, FieldInfo> _fields;

        public SObjectDescribe(string name, IEnumerable<FieldInfo> fields)
        {
            Name = name;
            _fields = fields.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        }

        public string Name { get; }

        public IEnumerable<FieldInfo> Fields => _fields.Values;

        public FieldInfo Field(string name) => _fields.TryGetValue(name, out FieldInfo f) ? f : null;

        public static SObjectDescribe FromJson(JObject describe)
        {
            var fields = ((JArray)describe["fields"]).Cast<JObject>().Select(f => new FieldInfo(
                f.Value<string>("name"),
                f.Value<string>("type"),
                f.Value<int?>("length") ?? 0,
                f.Value<bool?>("createable") ?? false,
                f.Value<bool?>("updateable") ?? false,
                f.Value<bool?>("nillable") ?? true));
            return new SObjectDescribe(describe.Value<string>("name"), fields);
        }

        /// <summary>The closest field name, for "did you mean" in errors.</summary>
        public string Suggest(string unknown)
        {
            return _fields.Keys.OrderBy(k => Distance(k.ToLowerInvariant(), unknown.ToLowerInvariant())).FirstOrDefault();
        }

        /// <summary>Edit distance between two names (for "did you mean" suggestions).</summary>
        internal static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
                for (int j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }

    public sealed class FieldInfo
    {
        public FieldInfo(string name, string type, int length, bool createable, bool updateable, bool nillable)
        {
            Name = name;
            Type = type;
            Length = length;
            Createable = createable;
            Updateable = updateable;
            Nillable = nillable;
        }

        public string Name { get; }
        public string Type { get; }
        public int Length { get; }
        public bool Createable { get; }
        public bool Updateable { get; }
        public bool Nillable { get; }
        public bool IsMultiSelect => Type == "multipicklist";
        public bool IsBoolean => Type == "boolean";
        public bool IsNumber => Type == "int" || Type == "double" || Type == "currency" || Type == "percent";
    }
}
