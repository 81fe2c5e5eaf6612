using System;
using System.Collections.Generic;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The values a source user asks for, by field name, in the map's order: what the planner compares with
    /// the matched user and copies into a create or an update. A plain list, not a JObject: most users of a
    /// resync turn out unchanged, and a JObject per user (its properties, their lookup table, and a copy of
    /// each value once it goes into another object) was the planner's largest garbage at 100k users.
    /// </summary>
    internal sealed class DesiredFieldValues
    {
        private readonly List<KeyValuePair<string, JToken>> _values;

        /// <param name="expected">About how many values will be asked for (the source's fields), so the list is not regrown.</param>
        public DesiredFieldValues(int expected = 0) { _values = new List<KeyValuePair<string, JToken>>(expected); }

        /// <summary>The value for the field (API names, as the describe spells them), or null when none is asked for.</summary>
        public JToken this[string field]
        {
            get
            {
                int i = IndexOf(field);
                return i < 0 ? null : _values[i].Value;
            }
            set
            {
                int i = IndexOf(field);
                if (i < 0) _values.Add(new KeyValuePair<string, JToken>(field, value));
                else _values[i] = new KeyValuePair<string, JToken>(field, value);
            }
        }

        /// <summary>The value as text (null when absent or null), as JObject.Value&lt;string&gt; reads it.</summary>
        public string Text(string field) => this[field] is JValue value ? (string)value : null;

        public void Remove(string field)
        {
            int i = IndexOf(field);
            if (i >= 0) _values.RemoveAt(i);
        }

        public IReadOnlyList<KeyValuePair<string, JToken>> Fields => _values;

        private int IndexOf(string field)
        {
            for (int i = 0; i < _values.Count; i++)
                if (string.Equals(_values[i].Key, field, StringComparison.Ordinal)) return i;
            return -1;
        }
    }
}
