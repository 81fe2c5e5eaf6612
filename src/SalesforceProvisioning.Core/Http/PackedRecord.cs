using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// A record's fields (name, type and value) packed into one compact UTF-8 buffer, for writes that wait long
    /// before they are sent (a bulk run holds up to 50,000 users' writes for a job): a few hundred bytes instead
    /// of a JSON tree of a few kilobytes. A job's CSV row is read from it directly (<see cref="CsvFields"/>);
    /// the JSON record comes back whole (<see cref="Unpack"/>) only for a write that goes as a composite.
    /// </summary>
    public sealed class PackedRecord
    {
        private const byte Null = 0, Text = 1, Boolean = 2, Integer = 3, Float = 4, Json = 5, Date = 6;

        private readonly byte[] _bytes;

        private PackedRecord(byte[] bytes) { _bytes = bytes; }

        /// <summary>Bytes held (for the benchmark's accounting and tests).</summary>
        public int Size => _bytes.Length;

        // One buffer and writer per thread, reused: packing a held write allocates its bytes and nothing else.
        [ThreadStatic] private static MemoryStream t_stream;
        [ThreadStatic] private static BinaryWriter t_writer;

        public static PackedRecord Pack(JObject record)
        {
            if (t_writer == null)
            {
                t_stream = new MemoryStream();
                t_writer = new BinaryWriter(t_stream, Encoding.UTF8, leaveOpen: true);
            }
            MemoryStream stream = t_stream;
            BinaryWriter writer = t_writer;
            stream.SetLength(0);
            {
                {
                    foreach (JProperty property in record.Properties())
                    {
                        writer.Write(property.Name);
                        JToken value = property.Value;
                        switch (value.Type)
                        {
                            case JTokenType.Null:
                            case JTokenType.Undefined: writer.Write(Null); break;
                            case JTokenType.String: writer.Write(Text); writer.Write(value.Value<string>()); break;
                            case JTokenType.Boolean: writer.Write(Boolean); writer.Write(value.Value<bool>()); break;
                            case JTokenType.Integer: writer.Write(Integer); writer.Write(Convert.ToString(((JValue)value).Value, CultureInfo.InvariantCulture)); break;
                            case JTokenType.Float when ((JValue)value).Value is double: writer.Write(Float); writer.Write(Convert.ToString(((JValue)value).Value, CultureInfo.InvariantCulture)); break;
                            // The UTC instant as the unpacked path's CSV cell has it (BulkIngest.CsvValue), not Newtonsoft's
                            // text with the local offset: both paths upload the same cell, and SameUpload can match it.
                            case JTokenType.Date: writer.Write(Date); writer.Write(BulkIngest.CsvValue(value, missing: "")); break;
                            default: writer.Write(Json); writer.Write(value.ToString(Formatting.None)); break;
                        }
                    }
                }
                writer.Flush();
                return new PackedRecord(stream.ToArray());
            }
        }

        /// <summary>The record as a JSON object again, each value of the type it was packed with.</summary>
        public JObject Unpack()
        {
            var record = new JObject();
            Read(name => true, (name, type, text, flag) => record[name] = ToToken(type, text, flag));
            return record;
        }

        /// <summary>Each field as a JSON property, as <see cref="Unpack"/>'s object would write it, without building it.</summary>
        public void WriteJsonFields(JsonWriter json)
            => Read(name => true, (name, type, text, flag) =>
            {
                json.WritePropertyName(name);
                switch (type)
                {
                    case Null: json.WriteNull(); break;
                    case Text: json.WriteValue(text); break;
                    case Boolean: json.WriteValue(flag); break;
                    default: ToToken(type, text, flag).WriteTo(json); break;
                }
            });

        /// <summary>The fields' names, in order (their values are skipped, not decoded).</summary>
        public List<string> Names()
        {
            var names = new List<string>();
            Read(name => { names.Add(name); return false; }, null);
            return names;
        }

        /// <summary>Each field's name and its value as a Bulk API 2.0 CSV cell (<see cref="BulkIngest.CsvValue"/>), without a JSON tree.</summary>
        public List<(string Name, string Value)> CsvFields()
        {
            var fields = new List<(string, string)>();
            ForEachCsvField((name, value) => fields.Add((name, value)));
            return fields;
        }

        public void ForEachCsvField(Action<string, string> onField)
            => Read(name => true, (name, type, text, flag) => onField(name, CsvCell(type, text, flag)));

        /// <summary>One field's CSV cell, or null when the record has no such field.</summary>
        public string CsvValue(string field)
        {
            string found = null;
            Read(name => found == null && string.Equals(name, field, StringComparison.OrdinalIgnoreCase), (name, type, text, flag) => found = CsvCell(type, text, flag));
            return found;
        }

        /// <summary>One field's value as the JSON record holds it (null when the record has no such field).</summary>
        public JToken Value(string field)
        {
            JToken found = null;
            Read(name => found == null && string.Equals(name, field, StringComparison.OrdinalIgnoreCase), (name, type, text, flag) => found = ToToken(type, text, flag));
            return found;
        }

        private static string CsvCell(byte type, string text, bool flag)
        {
            switch (type)
            {
                case Null: return "#N/A";
                case Text: return text.Length == 0 ? "#N/A" : text;
                case Boolean: return flag ? "true" : "false";
                case Integer:
                case Float:
                case Date: return text;
                default: return BulkIngest.CsvValue(ToToken(type, text, flag), missing: "");
            }
        }

        private static JToken ToToken(byte type, string text, bool flag)
        {
            switch (type)
            {
                case Null: return JValue.CreateNull();
                case Text: return new JValue(text);
                case Boolean: return new JValue(flag);
                case Integer: return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long number) ? new JValue(number) : JToken.Parse(text);
                case Float: return new JValue(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
                case Date: return new JValue(DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));
                default:
                    using (var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None })
                        return JToken.ReadFrom(reader);
            }
        }

        /// <summary>
        /// Walks the fields as <see cref="BinaryWriter"/> wrote them (each string a 7-bit encoded length and its UTF-8
        /// bytes), decoding a value only when <paramref name="wanted"/> says so for its name.
        /// </summary>
        private void Read(Func<string, bool> wanted, Action<string, byte, string, bool> onField)
        {
            int position = 0;
            for (int field = 0; position < _bytes.Length; field++)
            {
                string name = ReadName(ref position, field);
                byte type = _bytes[position++];
                bool decode = wanted(name);
                string text = null;
                bool flag = false;
                if (type == Boolean) flag = _bytes[position++] != 0;
                else if (type != Null)
                {
                    if (decode) text = ReadString(ref position);
                    else
                    {
                        int skipped = ReadLength(ref position);
                        position += skipped;
                    }
                }
                if (decode) onField(name, type, text, flag);
            }
        }

        // The names of the last record read, by position: records of one run name the same fields in the same order,
        // so a name is decoded once per thread, not once per record.
        [ThreadStatic] private static string[] t_names;
        [ThreadStatic] private static byte[][] t_nameBytes;

        private string ReadName(ref int position, int field)
        {
            int length = ReadLength(ref position);
            int start = position;
            var span = new ReadOnlySpan<byte>(_bytes, start, length);
            position += length;
            if (field >= 64) return Encoding.UTF8.GetString(_bytes, start, length);
            string[] names = t_names ?? (t_names = new string[64]);
            byte[][] bytes = t_nameBytes ?? (t_nameBytes = new byte[64][]);
            if (bytes[field] == null || !span.SequenceEqual(bytes[field]))
            {
                names[field] = Encoding.UTF8.GetString(_bytes, start, length);
                bytes[field] = span.ToArray();
            }
            return names[field];
        }

        private string ReadString(ref int position)
        {
            int length = ReadLength(ref position);
            string text = Encoding.UTF8.GetString(_bytes, position, length);
            position += length;
            return text;
        }

        private int ReadLength(ref int position)
        {
            int length = 0, shift = 0;
            byte b;
            do
            {
                b = _bytes[position++];
                length |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            return length;
        }
    }
}
