using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>
/// How much a write is trusted: API writes get every check, seed loads may set read-only fields and ids, and
/// platform writes (what an API call such as convertLead does on its own) may set read-only fields but are
/// otherwise checked like API writes.
/// </summary>
internal enum WriteMode { Api, Seed, Platform }

/// <summary>
/// The in-memory org: one table per sObject type, unique indexes, and the write pipeline every API path uses
/// (input reading, generic field validation, object rules, uniqueness, MIXED_DML, journaling).
/// All access goes through <see cref="Sync"/>.
/// </summary>
public sealed partial class EmulatorOrg
{
    public const string IntegrationUsername = "integration@emulator.example.com";

    private readonly Dictionary<string, Table> tables = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Deleted records (IsDeleted = true) with the time they were deleted, as the recycle bin keeps them.</summary>
    private readonly Dictionary<string, (SObjectRecord Record, DateTime DeletedDate)> recycleBin = new(StringComparer.Ordinal);
    private readonly ObjectRules rules;
    private string seedJson;
    private long idSequence;

    internal EmulatorOrg(string seedJson)
    {
        rules = new ObjectRules(this);
        LoadSeed(seedJson);
    }

    internal object Sync { get; } = new();
    /// <summary>The objects and fields of this org, built from the seed's org shape each time a seed loads.</summary>
    internal StandardSchema Schema { get; private set; }
    internal Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

    public string OrganizationId
    {
        get
        {
            lock (Sync) return Scan(Schema.Find("Organization")).First().Id;
        }
    }

    /// <summary>Organization.IsSandbox: a sandbox's token endpoint wants JWT assertions for https://test.salesforce.com.</summary>
    public bool IsSandbox
    {
        get
        {
            lock (Sync) return Scan(Schema.Find("Organization")).First().GetBool("IsSandbox");
        }
        set
        {
            lock (Sync) Scan(Schema.Find("Organization")).First().Values["IsSandbox"] = value;
        }
    }

    /// <summary>Replaces all data with the records of a seed (format: {"objects":{"User":[{...}],...}}); it becomes what Reset restores.</summary>
    public void LoadSeed(string json)
    {
        lock (Sync)
        {
            var parsed = SeedLoader.Parse(json);
            try
            {
                Schema = new StandardSchema(parsed.Shape);
                ClearAll();
                SeedLoader.Load(this, parsed);
            }
            catch (InvalidDataException) when (seedJson != null)
            {
                // A bad seed leaves the org as it was after the last good one, not half loaded.
                var previous = SeedLoader.Parse(seedJson);
                Schema = new StandardSchema(previous.Shape);
                ClearAll();
                SeedLoader.Load(this, previous);
                throw;
            }
            seedJson = json;
        }
    }

    /// <summary>The seed last loaded (what Reset restores), as JSON text.</summary>
    public string SeedJson
    {
        get
        {
            lock (Sync) return seedJson;
        }
    }

    /// <summary>Restores the data of the last seed loaded.</summary>
    public void Reset()
    {
        lock (Sync) LoadSeed(seedJson);
    }

    public int Count(string type)
    {
        lock (Sync) return TableOf(Schema.Find(type) ?? throw new ArgumentException($"Unknown sObject type {type}")).Rows.Count;
    }

    /// <summary>A record as the REST API returns it, or null when no record has this id.</summary>
    public JsonObject Get(string id)
    {
        lock (Sync)
        {
            var record = FindById(id);
            return record == null ? null : RecordJson.ToJson(record, RecordJson.DefaultVersion, null);
        }
    }

    public string FindUserId(string username)
    {
        lock (Sync) return FindUserByUsername(username)?.Id;
    }

    /// <summary>Runs SOQL over the whole result, without paging.</summary>
    public IReadOnlyList<JsonObject> Query(string soql)
    {
        lock (Sync) return new Soql.QueryEngine(this).Execute(soql, includeAll: false, RecordJson.DefaultVersion).Records;
    }

    public string Create(string type, JsonObject fields) => Throwing(tx => CreateRecord(tx, type, fields, WriteMode.Api));

    public void Update(string id, JsonObject fields) => Throwing(tx => UpdateRecord(tx, null, id, fields, WriteMode.Api));

    public void Delete(string id) => Throwing(tx => DeleteRecord(tx, null, id, WriteMode.Api));

    private string Throwing(Func<OrgTransaction, SaveResult> write)
    {
        lock (Sync)
        {
            var result = write(new OrgTransaction());
            if (!result.Success) throw new EmulatorValidationException(result.Errors[0]);
            return result.Id;
        }
    }

    /// <summary>After a seed: records without an author or owner belong to the integration user; seats are counted.</summary>
    internal void AfterSeed()
    {
        string integration = FindUserByUsername(IntegrationUsername)?.Id;
        foreach (var table in tables.Values)
            foreach (var record in table.Rows.Values)
                foreach (var field in new[] { "CreatedById", "LastModifiedById", "OwnerId" })
                    if (table.Type.FindField(field) != null && record.Get(field) == null) record.Values[field] = integration;
        rules.RecountSeats(new OrgTransaction());
    }

    // ---- Lookups -------------------------------------------------------------------------------------------

    internal IEnumerable<SObjectRecord> Scan(ObjectDefinition type) => TableOf(type).Rows.Values;

    /// <summary>The records of a type, and with <paramref name="includeDeleted"/> those in the recycle bin too (queryAll).</summary>
    internal IEnumerable<SObjectRecord> Scan(ObjectDefinition type, bool includeDeleted) =>
        includeDeleted ? Scan(type).Concat(recycleBin.Values.Where(d => d.Record.Type == type).Select(d => d.Record)) : Scan(type);

    /// <summary>A record by id, live or (with <paramref name="includeDeleted"/>) in the recycle bin.</summary>
    internal SObjectRecord FindById(string id, bool includeDeleted) =>
        FindById(id) ?? (includeDeleted && SalesforceId.TryNormalize(id, out var id18) && recycleBin.TryGetValue(id18, out var deleted) ? deleted.Record : null);

    /// <summary>Deleted records of a type, with when they were deleted (sobjects/{Type}/deleted).</summary>
    internal IEnumerable<(SObjectRecord Record, DateTime DeletedDate)> RecycleBin(ObjectDefinition type) =>
        recycleBin.Values.Where(d => d.Record.Type == type);

    /// <summary>Where a live record sits in its table (insertion order), so lookups by key answer in scan order.</summary>
    internal int Position(SObjectRecord record) => TableOf(record.Type).Rows.IndexOf(record.Id);

    internal SObjectRecord FindById(string id)
    {
        if (!SalesforceId.TryNormalize(id, out var id18)) return null;
        var type = Schema.FindByPrefix(id18);
        return type != null && TableOf(type).Rows.TryGetValue(id18, out var record) ? record : null;
    }

    internal bool WasDeleted(string id) => SalesforceId.TryNormalize(id, out var id18) && recycleBin.ContainsKey(id18);

    /// <summary>A user who may sign in and whose sessions work: active and not frozen (UserLogin.IsFrozen).</summary>
    internal bool CanSignIn(SObjectRecord user) => user.GetBool("IsActive") && !IsFrozen(user);

    internal bool IsFrozen(SObjectRecord user) =>
        FindByUniqueField(Schema.Find("UserLogin"), "UserId", user.Id)?.GetBool("IsFrozen") == true;

    internal SObjectRecord FindUserByUsername(string username) =>
        username == null ? null : FindByUniqueField(Schema.Find("User"), "Username", username);

    /// <summary>Finds a record by a field that has a single-field unique index.</summary>
    internal SObjectRecord FindByUniqueField(ObjectDefinition type, string field, string value) =>
        FindByUniqueKey(type, new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase) { [field] = value });

    /// <summary>Finds a record through the unique index made of exactly the fields in <paramref name="values"/>.</summary>
    internal SObjectRecord FindByUniqueKey(ObjectDefinition type, Dictionary<string, object> values)
    {
        var table = TableOf(type);
        var key = type.UniqueKeys.First(k => k.Fields.Count == values.Count && k.Fields.All(values.ContainsKey));
        return IndexKey(key, values) is { } indexKey && table.Indexes[key].TryGetValue(indexKey, out var id) ? table.Rows[id] : null;
    }

    // ---- Writes --------------------------------------------------------------------------------------------

    internal SaveResult CreateRecord(OrgTransaction tx, string typeName, JsonObject input, WriteMode mode)
    {
        var type = Schema.Find(typeName);
        if (type == null)
            return SaveResult.Failed("INVALID_TYPE", $"sObject type '{typeName}' is not supported.");
        if (mode == WriteMode.Api && !type.Createable)
            return SaveResult.Failed("INVALID_TYPE_FOR_OPERATION", $"entity type cannot be inserted: {type.Name}");

        // Sized for every field: the defaults below fill most of them, and growing the table one resize at a time
        // was a quarter of a 1,000-user composite's work.
        var values = new Dictionary<string, object>(type.Fields.Count, StringComparer.OrdinalIgnoreCase);
        var error = ReadInput(type, input, mode, isCreate: true, values);
        if (error != null) return SaveResult.Failed(error);
        foreach (var field in type.Fields)
            if (field.DefaultValue != null && !values.ContainsKey(field.Name))
                values[field.Name] = field.DefaultValue;
        if (type.FindField("OwnerId") != null && values.GetValueOrDefault("OwnerId") == null && tx.ActorId != null)
            values["OwnerId"] = tx.ActorId;

        var changed = new HashSet<string>(values.Keys, StringComparer.OrdinalIgnoreCase);
        var context = new WriteContext(tx, type, null, values, changed, mode);
        error = rules.Prepare(context) ?? FieldValidator.Validate(this, context) ?? rules.Validate(context) ?? CheckValidationRules(context) ?? CheckUnique(type, values, ownId: null);
        if (error != null) return SaveResult.Failed(error);
        if (mode == WriteMode.Api && tx.CheckMixedDml(type) is { } mixed) return SaveResult.Failed(mixed);

        if (values.TryGetValue("Id", out var explicitId) && explicitId is string id)
        {
            if (FindById(id) != null) return SaveResult.Failed("DUPLICATE_VALUE", $"duplicate value found: Id duplicates value on record with id: {id}", "Id");
        }
        else
        {
            values["Id"] = NewId(type);
        }
        if (type.FindField("CreatedById") != null && values.GetValueOrDefault("CreatedById") == null) values["CreatedById"] = tx.ActorId;
        if (type.FindField("LastModifiedById") != null && values.GetValueOrDefault("LastModifiedById") == null) values["LastModifiedById"] = tx.ActorId;
        var record = Insert(type, values);
        tx.RecordWrite(type, () => Remove(record, toRecycleBin: false));
        rules.AfterCreate(tx, record);
        return SaveResult.Ok(record.Id, created: true);
    }

    internal SaveResult UpdateRecord(OrgTransaction tx, string typeName, string id, JsonObject input, WriteMode mode)
    {
        var (existing, notFound) = FindForWrite(typeName, id);
        if (notFound != null) return SaveResult.Failed(notFound);
        var type = existing.Type;

        var values = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        var error = ReadInput(type, input, mode, isCreate: false, values);
        if (error != null) return SaveResult.Failed(error);
        if (mode == WriteMode.Api && !type.Updateable)
            return SaveResult.Failed("INVALID_TYPE_FOR_OPERATION", $"entity type cannot be updated: {type.Name}");

        var merged = existing.Clone();
        foreach (var (field, value) in values) merged.Values[field] = value;
        var changed = new HashSet<string>(values.Keys, StringComparer.OrdinalIgnoreCase);
        var context = new WriteContext(tx, type, existing, merged.Values, changed, mode);
        error = rules.Prepare(context) ?? FieldValidator.Validate(this, context) ?? rules.Validate(context) ?? CheckValidationRules(context) ?? CheckUnique(type, merged.Values, existing.Id);
        if (error != null) return SaveResult.Failed(error);
        if (mode == WriteMode.Api && tx.CheckMixedDml(type) is { } mixed) return SaveResult.Failed(mixed);

        var now = Clock();
        merged.Values["LastModifiedDate"] = now;
        merged.Values["SystemModstamp"] = now;
        if (tx.ActorId != null) merged.Values["LastModifiedById"] = tx.ActorId;
        Replace(existing, merged);
        tx.RecordWrite(type, () => Replace(merged, existing));
        rules.AfterUpdate(tx, existing, merged);
        return SaveResult.Ok(existing.Id);
    }

    internal SaveResult DeleteRecord(OrgTransaction tx, string typeName, string id, WriteMode mode)
    {
        var (existing, notFound) = FindForWrite(typeName, id);
        if (notFound != null) return SaveResult.Failed(notFound);
        var type = existing.Type;
        if (mode == WriteMode.Api && !type.Deletable)
            return SaveResult.Failed("INVALID_TYPE_FOR_OPERATION", "entity type cannot be deleted");
        var error = rules.BeforeDelete(tx, existing, mode);
        if (error != null) return SaveResult.Failed(error);
        if (mode == WriteMode.Api && tx.CheckMixedDml(type) is { } mixed) return SaveResult.Failed(mixed);

        Remove(existing, toRecycleBin: true);
        tx.RecordWrite(type, () => Insert(type, existing.Values));
        rules.AfterDelete(tx, existing);
        return SaveResult.Ok(existing.Id);
    }

    /// <summary>A write the platform makes by itself (no validation, undone with the transaction, not counted).</summary>
    internal SObjectRecord InsertSideEffect(OrgTransaction tx, string typeName, Dictionary<string, object> values)
    {
        var type = Schema.Find(typeName);
        values["Id"] = NewId(type);
        foreach (var field in type.Fields)
            if (field.DefaultValue != null && !values.ContainsKey(field.Name))
                values[field.Name] = field.DefaultValue;
        if (values.GetValueOrDefault("CreatedById") == null) values["CreatedById"] = tx.ActorId;
        if (values.GetValueOrDefault("LastModifiedById") == null) values["LastModifiedById"] = tx.ActorId;
        var record = Insert(type, values);
        tx.RecordSideEffect(() => Remove(record, toRecycleBin: false));
        return record;
    }

    internal void DeleteSideEffect(OrgTransaction tx, SObjectRecord record)
    {
        Remove(record, toRecycleBin: true);
        tx.RecordSideEffect(() => Insert(record.Type, record.Values));
    }

    /// <summary>A field the platform keeps up to date by itself (UsedLicenses), undone with the transaction.</summary>
    internal void SetSideEffect(OrgTransaction tx, SObjectRecord record, string field, object value)
    {
        var changed = record.Clone();
        changed.Values[field] = value;
        Replace(record, changed);
        tx.RecordSideEffect(() => Replace(changed, record));
    }

    /// <summary>The org's active validation rules for the record being saved (seed org.validationRules); seeds skip them.</summary>
    private static SalesforceError CheckValidationRules(WriteContext write)
    {
        if (write.Mode == WriteMode.Seed) return null;
        foreach (var rule in write.Type.ValidationRules)
            if (rule.Condition.IsTrue(write))
                return rule.ErrorDisplayField == null
                    ? new SalesforceError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.ErrorMessage)
                    : new SalesforceError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.ErrorMessage, rule.ErrorDisplayField);
        return null;
    }

    private (SObjectRecord Existing, SalesforceError NotFound) FindForWrite(string typeName, string id)
    {
        if (!SalesforceId.TryNormalize(id, out var id18))
            return (null, new SalesforceError("MALFORMED_ID", $"malformed id {id}"));
        var existing = FindById(id18);
        if (existing != null && (typeName == null || string.Equals(existing.Type.Name, typeName, StringComparison.OrdinalIgnoreCase)))
            return (existing, null);
        if (recycleBin.ContainsKey(id18))
            return (null, new SalesforceError("ENTITY_IS_DELETED", "entity is deleted"));
        return (null, new SalesforceError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"));
    }

    /// <summary>Turns request JSON into typed values, refusing unknown, read-only and ill-typed fields.</summary>
    private static SalesforceError ReadInput(ObjectDefinition type, JsonObject input, WriteMode mode, bool isCreate, Dictionary<string, object> values)
    {
        var notWritable = new List<string>();
        foreach (var (name, node) in input ?? new JsonObject())
        {
            if (name == "attributes") continue;
            var field = type.FindField(name);
            if (field == null)
                return new SalesforceError("INVALID_FIELD", $"No such column '{name}' on sobject of type {type.Name}", name);
            if (field.Name == "Id")
            {
                if (!isCreate) continue; // updates take the id from the URL or the record; the body copy is ignored
                if (mode == WriteMode.Api)
                    return new SalesforceError("INVALID_FIELD", "cannot specify Id in an insert call", "Id");
                string given = (node as JsonValue)?.ToString();
                if (!SalesforceId.TryNormalize(given, out var id18) || !id18.StartsWith(type.KeyPrefix, StringComparison.Ordinal))
                    return new SalesforceError("MALFORMED_ID", $"{type.Name} ID: id value of incorrect type: {given}", "Id");
                values["Id"] = id18;
                continue;
            }
            if (mode == WriteMode.Api && !(isCreate ? field.Createable : field.Updateable))
            {
                notWritable.Add(field.Name);
                continue;
            }
            if (!FieldValues.TryFromJson(field, node, out var value))
                return new SalesforceError("INVALID_TYPE_ON_FIELD_IN_RECORD", $"{field.Label}: value not of required type: {node?.ToJsonString()}", field.Name);
            values[field.Name] = value;
        }
        if (notWritable.Count > 0)
            return new SalesforceError("INVALID_FIELD_FOR_INSERT_UPDATE",
                $"Unable to create/update fields: {string.Join(", ", notWritable)}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                notWritable.ToArray());
        return null;
    }

    private SalesforceError CheckUnique(ObjectDefinition type, Dictionary<string, object> values, string ownId)
    {
        var table = TableOf(type);
        foreach (var key in type.UniqueKeys)
        {
            string indexKey = IndexKey(key, values);
            if (indexKey != null && table.Indexes[key].TryGetValue(indexKey, out var holder) && holder != ownId)
                return new SalesforceError(key.ErrorCode, key.DuplicateMessage(holder, indexKey), key.Fields.ToArray());
        }
        return null;
    }

    // ---- Storage primitives: every change of a table goes through Insert, Replace and Remove ---------------

    private sealed class Table
    {
        public Table(ObjectDefinition type)
        {
            Type = type;
            foreach (var key in type.UniqueKeys) Indexes[key] = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        public ObjectDefinition Type { get; }
        public OrderedDictionary<string, SObjectRecord> Rows { get; } = new(StringComparer.Ordinal);
        public Dictionary<UniqueKey, Dictionary<string, string>> Indexes { get; } = new();
    }

    private Table TableOf(ObjectDefinition type)
    {
        if (!tables.TryGetValue(type.Name, out var table))
            tables[type.Name] = table = new Table(type);
        return table;
    }

    private void ClearAll()
    {
        tables.Clear();
        recycleBin.Clear();
        idSequence = 0;
    }

    private string NewId(ObjectDefinition type)
    {
        string id;
        do id = SalesforceId.Create(type.KeyPrefix, ++idSequence);
        while (FindById(id) != null);
        return id;
    }

    private SObjectRecord Insert(ObjectDefinition type, Dictionary<string, object> values)
    {
        var now = Clock();
        foreach (var audit in new[] { "CreatedDate", "LastModifiedDate", "SystemModstamp" })
            if (!values.ContainsKey(audit)) values[audit] = now;
        var record = new SObjectRecord(type, values);
        var table = TableOf(type);
        table.Rows.Add(record.Id, record);
        AddToIndexes(table, record);
        recycleBin.Remove(record.Id);
        return record;
    }

    private void Replace(SObjectRecord current, SObjectRecord replacement)
    {
        var table = TableOf(current.Type);
        RemoveFromIndexes(table, current);
        table.Rows[current.Id] = replacement;
        AddToIndexes(table, replacement);
    }

    /// <summary>Takes a record out of its table: into the recycle bin when deleted, gone when its create is undone.</summary>
    private void Remove(SObjectRecord record, bool toRecycleBin)
    {
        var table = TableOf(record.Type);
        RemoveFromIndexes(table, record);
        table.Rows.Remove(record.Id);
        if (!toRecycleBin) return;
        var deleted = record.Clone();
        if (record.Type.FindField("IsDeleted") != null) deleted.Values["IsDeleted"] = true;
        recycleBin[record.Id] = (deleted, Clock());
    }

    private static void AddToIndexes(Table table, SObjectRecord record)
    {
        foreach (var (key, index) in table.Indexes)
            if (IndexKey(key, record.Values) is { } indexKey) index[indexKey] = record.Id;
    }

    private static void RemoveFromIndexes(Table table, SObjectRecord record)
    {
        foreach (var (key, index) in table.Indexes)
            if (IndexKey(key, record.Values) is { } indexKey && index.TryGetValue(indexKey, out var holder) && holder == record.Id)
                index.Remove(indexKey);
    }

    /// <summary>The lower-cased value(s) of a unique key, or null when any part is empty (nulls never collide).</summary>
    private static string IndexKey(UniqueKey key, Dictionary<string, object> values)
    {
        if (key.Fields.Count == 1)
            return values.TryGetValue(key.Fields[0], out var single) && single != null ? FieldValues.ToDisplayString(single).ToLowerInvariant() : null;
        var parts = new string[key.Fields.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!values.TryGetValue(key.Fields[i], out var part) || part == null) return null;
            parts[i] = FieldValues.ToDisplayString(part).ToLowerInvariant();
        }
        return string.Join('\u001f', parts);
    }
}

/// <summary>What a rule or validator sees of one write: <c>Values</c> is the record as it will be stored.</summary>
internal sealed record WriteContext(
    OrgTransaction Transaction,
    ObjectDefinition Type,
    SObjectRecord Existing,
    Dictionary<string, object> Values,
    HashSet<string> Changed,
    WriteMode Mode)
{
    public bool IsCreate => Existing == null;

    public object Get(string field) => Values.TryGetValue(field, out var value) ? value : null;

    public string GetString(string field) => Get(field) as string;

    public bool IsChanged(string field) => Changed.Contains(field);
}
