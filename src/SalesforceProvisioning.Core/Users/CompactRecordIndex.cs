using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Many records in little memory, found by a key field: one shared field list and one array of plain
    /// values per record (a JObject per record costs several times more, which matters at 100k users).
    /// </summary>
    internal sealed class CompactRecordIndex : IUserLookup
    {
        private readonly string[] _fields;
        private readonly string _keyField;
        private readonly int _keyIndex;

        /// <summary>Each field's place in a record's values, by its name (Salesforce field names ignore case).</summary>
        private readonly Dictionary<string, int> _fieldIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, object[]> _records = new Dictionary<string, object[]>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _sharedValues = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Other fields records are found by (FederationIdentifier, a manager's key): value to the records' keys.</summary>
        private readonly Dictionary<string, Dictionary<string, List<string>>> _byField = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.OrdinalIgnoreCase);

        public CompactRecordIndex(IReadOnlyList<string> fields, string keyField, IEnumerable<string> indexedFields = null)
        {
            _fields = new string[fields.Count];
            for (int i = 0; i < fields.Count; i++)
            {
                _fields[i] = fields[i];
                _fieldIndex[fields[i]] = i;
            }
            _keyField = keyField;
            _keyIndex = _fieldIndex[keyField];
            foreach (string field in indexedFields ?? Array.Empty<string>())
                if (!string.Equals(field, keyField, StringComparison.OrdinalIgnoreCase)) _byField[field] = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        }

        public int Count => _records.Count;

        public void Add(JObject record)
        {
            var values = new object[_fields.Length];
            for (int i = 0; i < _fields.Length; i++) values[i] = Keep(i, (record[_fields[i]] as JValue)?.Value);
            AddKept(values);
        }

        /// <summary>Adds the record the reader is at (its StartObject), reading it to its EndObject: no JSON object is made.</summary>
        public void Add(JsonReader reader)
        {
            var values = new object[_fields.Length];
            int depth = reader.Depth;
            while (reader.Read() && reader.Depth > depth)
            {
                if (reader.TokenType != JsonToken.PropertyName) continue;
                string name = (string)reader.Value;
                reader.Read();
                if (reader.TokenType == JsonToken.StartObject || reader.TokenType == JsonToken.StartArray) { reader.Skip(); continue; }
                if (_fieldIndex.TryGetValue(name, out int i)) values[i] = Keep(i, reader.Value);
            }
            AddKept(values);
        }

        /// <summary>Adds a record given as its values in the order of the index's fields (a row of a Bulk API 2.0 query job's CSV).</summary>
        public void Add(object[] values)
        {
            if (values.Length != _fields.Length) throw new ArgumentException($"A record of {_fields.Length} values was expected.", nameof(values));
            for (int i = 0; i < values.Length; i++) values[i] = Keep(i, values[i]);
            AddKept(values);
        }

        private object Keep(int field, object value)
            => value is string text && text.Length <= 40 && _fields[field] != _keyField ? Share(text) : value;

        private void AddKept(object[] values)
        {
            string key = values[_keyIndex] as string;
            if (key == null) return;
            // A record read again (a retried read that had handed on part of its answer) replaces the first copy.
            if (_records.TryGetValue(key, out object[] earlier)) Unindex(key, earlier);
            _records[key] = values;
            foreach (var index in _byField)
            {
                string value = IndexedValue(index.Key, values);
                if (value == null) continue;
                if (!index.Value.TryGetValue(value, out List<string> keys)) index.Value[value] = keys = new List<string>(1);
                keys.Add(key);
            }
        }

        private void Unindex(string key, object[] values)
        {
            foreach (var index in _byField)
            {
                string value = IndexedValue(index.Key, values);
                if (value != null && index.Value.TryGetValue(value, out List<string> keys)) keys.RemoveAll(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            }
        }

        private string IndexedValue(string field, object[] values)
        {
            object raw = _fieldIndex.TryGetValue(field, out int i) ? values[i] : null;
            string value = raw == null ? null : Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture);
            return string.IsNullOrEmpty(value) ? null : value;
        }

        public IEnumerable<UserRecord> Find(string field, string value)
        {
            if (string.Equals(field, _keyField, StringComparison.OrdinalIgnoreCase))
            {
                UserRecord record = Find(value);
                return record == null ? Array.Empty<UserRecord>() : new[] { record };
            }
            if (value == null || !_byField.TryGetValue(field, out var index) || !index.TryGetValue(value, out List<string> keys)) return Array.Empty<UserRecord>();
            var found = new List<UserRecord>(keys.Count);
            foreach (string key in keys)
                if (Find(key) is UserRecord record) found.Add(record);
            return found;
        }

        /// <summary>
        /// The record with this key, or null: a view of the index's own values, not a copy (with the default map
        /// a user has some forty fields, and this is asked for every matched user of every run).
        /// </summary>
        public UserRecord Find(string key)
            => key != null && _records.TryGetValue(key, out object[] values) ? new UserRecord(this, values) : null;

        /// <summary>A field's value in a record of this index, or null when empty or not selected.</summary>
        internal object ValueOf(object[] values, string field) => _fieldIndex.TryGetValue(field, out int i) ? values[i] : null;

        /// <summary>A record of this index as a JSON object; fields without a value are left out (reading one gives null, as a JSON null does).</summary>
        internal JObject ToJson(object[] values)
        {
            var record = new JObject();
            for (int i = 0; i < _fields.Length; i++)
                if (values[i] != null) record.Add(_fields[i], new JValue(values[i]));
            return record;
        }

        /// <summary>One copy of repeated short values (profile ids, locale keys, titles).</summary>
        private string Share(string text)
        {
            if (_sharedValues.TryGetValue(text, out string shared)) return shared;
            if (_sharedValues.Count < 50_000) _sharedValues[text] = text;
            return text;
        }
    }
}
