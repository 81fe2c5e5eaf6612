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
    /// A record's array holds only its fields with a value, after a shared <see cref="Shape"/> that says
    /// which ones: with the default map most of some forty selected fields are empty, and the scan's
    /// collections copy every record the index keeps.
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
        private readonly Dictionary<(ulong, ulong), Shape> _shapes = new Dictionary<(ulong, ulong), Shape>();
        private Shape _allFields;
        private object[] _reading;

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
            // One array for every record read: a record keeps only its values with its shape (Pack).
            object[] values = _reading ?? (_reading = new object[_fields.Length]);
            Array.Clear(values, 0, values.Length);
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
            values = Pack(values);
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
            object raw = ValueOf(values, field);
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
        internal object ValueOf(object[] record, string field)
        {
            if (!_fieldIndex.TryGetValue(field, out int i)) return null;
            int slot = ((Shape)record[0]).Slots[i];
            return slot == 0 ? null : record[slot];
        }

        /// <summary>A record of this index as a JSON object; fields without a value are left out (reading one gives null, as a JSON null does).</summary>
        internal JObject ToJson(object[] record)
        {
            var json = new JObject();
            var shape = (Shape)record[0];
            for (int i = 0; i < _fields.Length; i++)
                if (shape.Slots[i] != 0 && record[shape.Slots[i]] != null) json.Add(_fields[i], new JValue(record[shape.Slots[i]]));
            return json;
        }

        /// <summary>
        /// Which fields of the index a record has a value for: a field's slot in the record's array (1 on), or 0
        /// for none. Records with the same fields share one.
        /// </summary>
        private sealed class Shape
        {
            public Shape(int[] slots, int count) { Slots = slots; Count = count; }
            public int[] Slots { get; }
            public int Count { get; }
        }

        /// <summary>The record's values (one per field of the index) as its shape and the values it has.</summary>
        private object[] Pack(object[] values)
        {
            Shape shape = ShapeOf(values);
            var record = new object[shape.Count + 1];
            record[0] = shape;
            for (int i = 0; i < values.Length; i++)
                if (shape.Slots[i] != 0) record[shape.Slots[i]] = values[i];
            return record;
        }

        private Shape ShapeOf(object[] values)
        {
            if (values.Length > 128) return _allFields ?? (_allFields = NewShape(values, allFields: true));
            ulong low = 0, high = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] == null) continue;
                if (i < 64) low |= 1UL << i;
                else high |= 1UL << (i - 64);
            }
            if (!_shapes.TryGetValue((low, high), out Shape shape)) _shapes[(low, high)] = shape = NewShape(values, allFields: false);
            return shape;
        }

        private static Shape NewShape(object[] values, bool allFields)
        {
            var slots = new int[values.Length];
            int count = 0;
            for (int i = 0; i < values.Length; i++)
                if (allFields || values[i] != null) slots[i] = ++count;
            return new Shape(slots, count);
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
