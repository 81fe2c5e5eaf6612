using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// One input's properties, listed once (with a Graph object's AdditionalProperties), each value read the
    /// first time it is asked for and kept. The attribute map asks every input for some ninety candidate
    /// names (Username from UserPrincipalName or UPN, Title or JobTitle, ...), mostly absent: on a PSObject
    /// each of those lookups walks its members, and each miss looked in AdditionalProperties again.
    /// </summary>
    internal sealed class InputProperties
    {
        private sealed class Entry
        {
            public PSPropertyInfo Property;
            public object Value;
            public bool Read;
        }

        private readonly object _input;
        private readonly Dictionary<string, Entry> _entries = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);

        private InputProperties(object input) { _input = input; }

        public static InputProperties Of(object input)
        {
            var table = new InputProperties(input);
            object target = input is PSObject pso ? pso.BaseObject : input;
            if (target is IDictionary dictionary)
            {
                // The first key that matches wins, as a lookup in the dictionary's own order would.
                foreach (DictionaryEntry entry in dictionary) table.AddValue(Convert.ToString(entry.Key), entry.Value);
                return table;
            }
            foreach (PSPropertyInfo property in (input as PSObject ?? PSObject.AsPSObject(input)).Properties)
                if (!table._entries.ContainsKey(property.Name)) table._entries[property.Name] = new Entry { Property = property };
            // Microsoft Graph objects keep what their type does not declare in AdditionalProperties: read those as the object's own.
            if (table.Read(input, "AdditionalProperties").Value is IDictionary additional)
                foreach (DictionaryEntry entry in additional) table.AddValue(Convert.ToString(entry.Key), entry.Value);
            return table;
        }

        private void AddValue(string name, object value)
        {
            if (name != null && !_entries.ContainsKey(name)) _entries[name] = new Entry { Value = SourceObjects.Unwrap(value), Read = true };
        }

        public IEnumerable<string> Names => _entries.Keys;

        /// <summary>A property of this input (any other object is read as <see cref="SourceObjects.ReadProperty"/> reads it).</summary>
        public (bool Found, object Value) Read(object target, string name)
        {
            if (!ReferenceEquals(target, _input)) return SourceObjects.ReadProperty(target, name);
            if (name == null || !_entries.TryGetValue(name, out Entry entry)) return (false, null);
            if (!entry.Read)
            {
                entry.Value = SourceObjects.Unwrap(entry.Property.Value);
                entry.Read = true;
            }
            return (true, entry.Value);
        }
    }
}
