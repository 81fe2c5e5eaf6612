using System;
using System.Globalization;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// A Salesforce user as read, by field name (Salesforce field names ignore case): plain values (text,
    /// true/false, whole or decimal numbers; null when empty), read either from a query's JSON record or
    /// straight from the scanned org's compact index. Matching and planning read a matched user through this
    /// view, so a user found in the index is never copied into a JSON object of its own (at 100,000 users
    /// that copy was the planner's largest garbage).
    /// </summary>
    public sealed class UserRecord
    {
        private readonly JObject _json;
        private readonly CompactRecordIndex _index;
        private readonly object[] _values;

        /// <summary>A record read as JSON (a window's query, a read-back); it is not copied.</summary>
        public UserRecord(JObject json) { _json = json ?? throw new ArgumentNullException(nameof(json)); }

        internal UserRecord(CompactRecordIndex index, object[] values)
        {
            _index = index;
            _values = values;
        }

        /// <summary>The field's value as read (string, bool, long, double), or null when empty or not read.</summary>
        public object this[string field] => _json != null ? Plain(_json.GetValue(field, StringComparison.OrdinalIgnoreCase)) : _index.ValueOf(_values, field);

        /// <summary>The value as text, as JObject.Value&lt;string&gt; reads it (invariant culture), or null.</summary>
        public string Text(string field) => this[field] is object value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

        /// <summary>The value as true/false, as JObject.Value&lt;bool?&gt; reads it, or null.</summary>
        public bool? Flag(string field) => this[field] is object value ? Convert.ToBoolean(value, CultureInfo.InvariantCulture) : (bool?)null;

        /// <summary>The record as a JSON object of its non-empty fields (made on each call: for the few who need one).</summary>
        public JObject ToJson() => _json != null ? (JObject)_json.DeepClone() : _index.ToJson(_values);

        private static object Plain(JToken token) => token is JValue value ? value.Value : token == null || token.Type == JTokenType.Null ? null : token.ToString(Newtonsoft.Json.Formatting.None);
    }
}
