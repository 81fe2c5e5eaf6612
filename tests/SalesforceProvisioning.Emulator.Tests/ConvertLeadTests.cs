using System.Diagnostics;
using System.Net;
using System.Security;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace SalesforceProvisioning.Emulator.Tests;

/// <summary>SOAP convertLead (partner API) over HTTP, and the REST reads a leads-and-contacts sync relies on.</summary>
public sealed class ConvertLeadTests : EmulatorTest
{
    private const string SoapPath = "/services/Soap/u/62.0";
    private const string AcmeId = "001Em0000000001";
    private const string PersonAccountId = "001Em0000000002";
    private const string GlobexId = "001Em0000000003";
    private const string ConnieId = "003Em0000000003"; // at Acme, no Phone, no Title
    private const string PaulId = "003Em0000000002"; // at Globex
    private const string LenaLeadId = "00QEm0000000001";
    private const string ConvertedLeadId = "00QEm0000000002";
    private static readonly XNamespace SoapEnv = "http://schemas.xmlsoap.org/soap/envelope/";
    private static readonly XNamespace Partner = "urn:partner.soap.sforce.com";
    private static readonly XNamespace Sf = "urn:fault.partner.soap.sforce.com";
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private sealed record SoapAnswer(HttpStatusCode Status, string Text, XDocument Xml, HttpResponseMessage Response)
    {
        public XElement Fault => Xml.Root!.Element(SoapEnv + "Body")!.Element(SoapEnv + "Fault");
        public string FaultCode => Fault?.Element("faultcode")?.Value;
        public string FaultString => Fault?.Element("faultstring")?.Value;

        public List<XElement> Results =>
            Xml.Root!.Element(SoapEnv + "Body")!.Element(Partner + "convertLeadResponse")!.Elements(Partner + "result").ToList();
    }

    private async Task<SoapAnswer> Soap(string envelope, string path = SoapPath, string contentType = "text/xml", string soapAction = "\"\"",
        string bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BaseUrl + path);
        request.Content = new StringContent(envelope, Encoding.UTF8, contentType);
        if (soapAction != null) request.Headers.TryAddWithoutValidation("SOAPAction", soapAction);
        if (bearer != null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        var response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new SoapAnswer(response.StatusCode, text, text.Length == 0 ? null : XDocument.Parse(text), response);
    }

    /// <summary>A partner-API envelope with a SessionHeader (the emulator's token unless <paramref name="token"/> says otherwise).</summary>
    private string Envelope(string body, string token = null, bool sessionHeader = true, string extraHeaders = "") =>
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:urn=\"urn:partner.soap.sforce.com\">" +
        "<soapenv:Header>" +
        (sessionHeader ? $"<urn:SessionHeader><urn:sessionId>{SecurityElement.Escape(token ?? Emulator.Info.AccessToken)}</urn:sessionId></urn:SessionHeader>" : "") +
        extraHeaders + "</soapenv:Header>" +
        $"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>";

    private string ConvertLeadEnvelope(params string[] leadConverts) => Envelope($"<urn:convertLead>{string.Concat(leadConverts)}</urn:convertLead>");

    private static string LeadConvert(string leadId, string status = "Closed - Converted", string accountId = null, string contactId = null,
        bool overwriteLeadSource = false, string ownerId = null)
    {
        var xml = new StringBuilder("<urn:leadConverts>");
        if (accountId != null) xml.Append($"<urn:accountId>{accountId}</urn:accountId>");
        if (contactId != null) xml.Append($"<urn:contactId>{contactId}</urn:contactId>");
        if (status != null) xml.Append($"<urn:convertedStatus>{SecurityElement.Escape(status)}</urn:convertedStatus>");
        xml.Append("<urn:doNotCreateOpportunity>true</urn:doNotCreateOpportunity>");
        xml.Append($"<urn:leadId>{leadId}</urn:leadId>");
        if (overwriteLeadSource) xml.Append("<urn:overwriteLeadSource>true</urn:overwriteLeadSource>");
        if (ownerId != null) xml.Append($"<urn:ownerId>{ownerId}</urn:ownerId>");
        xml.Append("<urn:sendNotificationEmail>false</urn:sendNotificationEmail></urn:leadConverts>");
        return xml.ToString();
    }

    private string NewLead(string lastName, Action<JsonObject> change = null)
    {
        var lead = new JsonObject
        {
            ["FirstName"] = "Lee", ["LastName"] = lastName, ["Company"] = $"{lastName} Ltd", ["Email"] = $"{lastName.ToLowerInvariant()}@example.com",
            ["Phone"] = "+1 555 0100", ["Title"] = "Buyer", ["LeadSource"] = "Web", ["City"] = "Lyon", ["Country"] = "France",
        };
        change?.Invoke(lead);
        return Emulator.Org.Create("Lead", lead);
    }

    private static string Value(XElement result, string name) => result.Element(Partner + name)?.Value;

    private static bool IsNil(XElement result, string name) => result.Element(Partner + name)?.Attribute(Xsi + "nil")?.Value == "true";

    private static void AssertFailure(XElement result, string statusCode)
    {
        Assert.Equal("false", Value(result, "success"));
        Assert.Equal(statusCode, result.Element(Partner + "errors")?.Element(Partner + "statusCode")?.Value);
        Assert.True(IsNil(result, "accountId") && IsNil(result, "contactId") && IsNil(result, "opportunityId"), result.ToString());
    }

    private static string Message(XElement result) => result.Element(Partner + "errors")!.Element(Partner + "message")!.Value;

    [Fact]
    public async Task Converting_creates_a_business_account_and_a_contact_and_locks_the_lead()
    {
        string leadId = NewLead("Fresh");
        int accounts = Emulator.Org.Count("Account");

        var answer = await Soap(ConvertLeadEnvelope(LeadConvert(leadId)));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.StartsWith("text/xml", answer.Response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" " +
            "xmlns=\"urn:partner.soap.sforce.com\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><convertLeadResponse><result><accountId>001",
            answer.Text);
        Assert.Contains("<opportunityId xsi:nil=\"true\"/><success>true</success></result></convertLeadResponse></soapenv:Body></soapenv:Envelope>", answer.Text);
        var result = Assert.Single(answer.Results);
        Assert.Equal(new[] { "accountId", "contactId", "leadId", "opportunityId", "success" }, result.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(leadId, Value(result, "leadId"));
        string accountId = Value(result, "accountId"), contactId = Value(result, "contactId");
        Assert.Equal(18, accountId.Length);
        Assert.StartsWith("003", contactId);

        Assert.Equal(accounts + 1, Emulator.Org.Count("Account"));
        var account = Emulator.Org.Get(accountId);
        Assert.Equal("Fresh Ltd", account["Name"].ToString());
        Assert.False(account.ContainsKey("IsPersonAccount")); // a business-only org has no such field
        var contact = Emulator.Org.Get(contactId);
        Assert.Equal(accountId, contact["AccountId"].ToString());
        Assert.Equal("Lee Fresh", contact["Name"].ToString());
        Assert.Equal("fresh@example.com", contact["Email"].ToString());
        Assert.Equal("+1 555 0100", contact["Phone"].ToString());
        Assert.Equal("Buyer", contact["Title"].ToString());
        Assert.Equal("Lyon", contact["MailingCity"].ToString());
        Assert.Equal("France", contact["MailingCountry"].ToString());
        Assert.Equal("Web", contact["LeadSource"].ToString());

        var lead = (await Get($"{V}/sobjects/Lead/{leadId}")).Body;
        Assert.True(lead["IsConverted"].GetValue<bool>());
        Assert.Equal(contactId, lead["ConvertedContactId"].ToString());
        Assert.Equal(accountId, lead["ConvertedAccountId"].ToString());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), lead["ConvertedDate"].ToString());
        Assert.Equal("Closed - Converted", lead["Status"].ToString());

        // Read-only from now on, over REST as in Salesforce.
        var patch = await Patch($"{V}/sobjects/Lead/{leadId}", new JsonObject { ["Title"] = "Changed" });
        Assert.Equal(HttpStatusCode.BadRequest, patch.Status);
        Assert.Equal("CANNOT_UPDATE_CONVERTED_LEAD", ErrorCode(patch.Body));
        Assert.Equal("Buyer", Emulator.Org.Get(leadId)["Title"].ToString());
    }

    [Fact]
    public async Task Converting_into_an_existing_account_creates_only_the_contact()
    {
        string leadId = NewLead("Joiner");
        int accounts = Emulator.Org.Count("Account");

        var result = Assert.Single((await Soap(ConvertLeadEnvelope(LeadConvert(leadId, "Qualified", accountId: AcmeId)))).Results);

        Assert.Equal("true", Value(result, "success"));
        Assert.Equal(AcmeId, Value(result, "accountId")[..15]);
        Assert.Equal(accounts, Emulator.Org.Count("Account"));
        Assert.Equal("Acme Corporation", Emulator.Org.Get(AcmeId)["Name"].ToString());
        var contact = Emulator.Org.Get(Value(result, "contactId"));
        Assert.Equal(AcmeId, contact["AccountId"].ToString()[..15]);
        Assert.Equal("Qualified", Emulator.Org.Get(leadId)["Status"].ToString());
    }

    [Fact]
    public async Task Merging_into_an_existing_contact_fills_only_its_empty_fields()
    {
        string leadId = NewLead("Newcomer", l => { l["FirstName"] = "Constance"; l["Email"] = "other@example.com"; });
        int contacts = Emulator.Org.Count("Contact");

        var result = Assert.Single((await Soap(ConvertLeadEnvelope(LeadConvert(leadId, accountId: AcmeId, contactId: ConnieId)))).Results);

        Assert.Equal("true", Value(result, "success"));
        Assert.Equal(ConnieId, Value(result, "contactId")[..15]);
        Assert.Equal(contacts, Emulator.Org.Count("Contact"));
        var connie = Emulator.Org.Get(ConnieId);
        Assert.Equal("Connie", connie["FirstName"].ToString()); // kept
        Assert.Equal("connie.newcomer@example.com", connie["Email"].ToString()); // kept
        Assert.Equal("+1 555 0100", connie["Phone"].ToString()); // was empty
        Assert.Equal("Buyer", connie["Title"].ToString()); // was empty
        Assert.Equal("Web", connie["LeadSource"].ToString()); // was empty
        Assert.Equal(ConnieId, Emulator.Org.Get(leadId)["ConvertedContactId"].ToString()[..15]);

        // LeadSource is overwritten only when asked to.
        string second = NewLead("Second", l => l["LeadSource"] = "Partner Referral");
        Assert.Equal("true", Value(Assert.Single((await Soap(ConvertLeadEnvelope(LeadConvert(second, accountId: AcmeId, contactId: ConnieId)))).Results), "success"));
        Assert.Equal("Web", Emulator.Org.Get(ConnieId)["LeadSource"].ToString());
        string third = NewLead("Third", l => l["LeadSource"] = "Partner Referral");
        Assert.Equal("true", Value(Assert.Single((await Soap(ConvertLeadEnvelope(
            LeadConvert(third, accountId: AcmeId, contactId: ConnieId, overwriteLeadSource: true)))).Results), "success"));
        Assert.Equal("Partner Referral", Emulator.Org.Get(ConnieId)["LeadSource"].ToString());
    }

    [Fact]
    public async Task A_contact_must_belong_to_the_account_given()
    {
        string leadId = NewLead("Mismatch");
        var results = (await Soap(ConvertLeadEnvelope(
            LeadConvert(leadId, accountId: AcmeId, contactId: PaulId),
            LeadConvert(leadId, contactId: ConnieId),
            LeadConvert(leadId, accountId: AcmeId, contactId: "003Em0000000999")))).Results;
        AssertFailure(results[0], "FIELD_INTEGRITY_EXCEPTION");
        Assert.Contains("does not belong to account", Message(results[0]));
        AssertFailure(results[1], "FIELD_INTEGRITY_EXCEPTION");
        Assert.Contains("accountId is required", Message(results[1]));
        AssertFailure(results[2], "INVALID_CROSS_REFERENCE_KEY");
        Assert.False(Emulator.Org.Get(leadId)["IsConverted"].GetValue<bool>());
    }

    [Fact]
    public async Task An_already_converted_lead_is_refused()
    {
        var seeded = Assert.Single((await Soap(ConvertLeadEnvelope(LeadConvert(ConvertedLeadId)))).Results);
        AssertFailure(seeded, "CANNOT_UPDATE_CONVERTED_LEAD");
        Assert.Equal("This lead was already converted to the contact Connie Newcomer on 5/1/2024.", Message(seeded));

        // The same lead twice in one call: the first converts it, the second finds it converted.
        string leadId = NewLead("Twice");
        int contacts = Emulator.Org.Count("Contact");
        var results = (await Soap(ConvertLeadEnvelope(LeadConvert(leadId), LeadConvert(leadId)))).Results;
        Assert.Equal("true", Value(results[0], "success"));
        AssertFailure(results[1], "CANNOT_UPDATE_CONVERTED_LEAD");
        Assert.StartsWith("This lead was already converted to the contact Lee Twice", Message(results[1]));
        Assert.Equal(contacts + 1, Emulator.Org.Count("Contact"));
    }

    [Fact]
    public async Task Unknown_leads_fail_alone_and_results_keep_the_input_order()
    {
        string leadId = NewLead("Valid");
        var results = (await Soap(ConvertLeadEnvelope(
            LeadConvert("00QEm0000000999"), LeadConvert(leadId), LeadConvert(AcmeId), LeadConvert("not-an-id")))).Results;
        Assert.Equal(4, results.Count);
        AssertFailure(results[0], "INVALID_CROSS_REFERENCE_KEY");
        Assert.True(IsNil(results[0], "leadId"));
        Assert.Equal("true", Value(results[1], "success"));
        Assert.Equal(leadId, Value(results[1], "leadId"));
        AssertFailure(results[2], "INVALID_CROSS_REFERENCE_KEY");
        AssertFailure(results[3], "INVALID_CROSS_REFERENCE_KEY");
        // Failed results follow the WSDL order: errors sit between contactId and leadId.
        Assert.Equal(new[] { "accountId", "contactId", "errors", "leadId", "opportunityId", "success" },
            results[0].Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public async Task The_converted_status_must_be_a_converted_one()
    {
        string leadId = NewLead("Status");
        int accounts = Emulator.Org.Count("Account");
        var results = (await Soap(ConvertLeadEnvelope(
            LeadConvert(leadId, "Open - Not Contacted"), LeadConvert(leadId, status: null), LeadConvert(leadId, "Nonsense")))).Results;
        foreach (var result in results) AssertFailure(result, "INVALID_STATUS");
        Assert.StartsWith("invalid convertedStatus: Open - Not Contacted", Message(results[0]));
        Assert.Equal(accounts, Emulator.Org.Count("Account"));
        var lead = Emulator.Org.Get(leadId);
        Assert.False(lead["IsConverted"].GetValue<bool>());
        Assert.Equal("Open - Not Contacted", lead["Status"].ToString());
    }

    [Fact]
    public async Task A_person_account_is_refused()
    {
        UsePersonAccounts();
        string leadId = NewLead("Person");
        int contacts = Emulator.Org.Count("Contact");
        var result = Assert.Single((await Soap(ConvertLeadEnvelope(LeadConvert(leadId, accountId: PersonAccountId)))).Results);
        AssertFailure(result, "FIELD_INTEGRITY_EXCEPTION");
        Assert.Contains("person account", Message(result));
        Assert.Equal("accountId", result.Element(Partner + "errors")!.Element(Partner + "fields")!.Value);
        Assert.Equal(contacts, Emulator.Org.Count("Contact"));
        Assert.False(Emulator.Org.Get(leadId)["IsConverted"].GetValue<bool>());
    }

    [Fact]
    public async Task An_invalid_or_expired_session_gets_the_INVALID_SESSION_ID_fault()
    {
        string leadId = NewLead("Session");
        var bogus = await Soap(Envelope($"<urn:convertLead>{LeadConvert(leadId)}</urn:convertLead>", token: "00DEm0000000001!bogus"));
        Assert.Equal(HttpStatusCode.InternalServerError, bogus.Status);
        Assert.Equal("sf:INVALID_SESSION_ID", bogus.FaultCode);
        Assert.Equal("INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session", bogus.FaultString);
        var detail = bogus.Fault.Element("detail")!.Element(Sf + "UnexpectedErrorFault")!;
        Assert.Equal("INVALID_SESSION_ID", detail.Element(Sf + "exceptionCode")!.Value);

        var missing = await Soap(Envelope($"<urn:convertLead>{LeadConvert(leadId)}</urn:convertLead>", sessionHeader: false));
        Assert.Equal("sf:INVALID_SESSION_ID", missing.FaultCode);

        await Control("expire-access-tokens");
        var expired = await Soap(ConvertLeadEnvelope(LeadConvert(leadId)));
        Assert.Equal(HttpStatusCode.InternalServerError, expired.Status);
        Assert.Equal("sf:INVALID_SESSION_ID", expired.FaultCode);

        Assert.False(Emulator.Org.Get(leadId)["IsConverted"].GetValue<bool>());
        Assert.Equal(0, (await Counts())["apiCalls"].GetValue<long>());
    }

    [Fact]
    public async Task A_bearer_header_and_an_org_id_in_the_path_are_accepted()
    {
        string leadId = NewLead("Bearer");
        string orgId = Emulator.Org.OrganizationId;
        var envelope = Envelope($"<urn:convertLead>{LeadConvert(leadId)}</urn:convertLead>", sessionHeader: false);
        var answer = await Soap(envelope, path: $"{SoapPath}/{orgId}", soapAction: "\"convertLead\"", bearer: Emulator.Info.AccessToken);
        Assert.Equal("true", Value(Assert.Single(answer.Results), "success"));

        var otherOrg = await Soap(ConvertLeadEnvelope(LeadConvert(NewLead("Elsewhere"))), path: $"{SoapPath}/00DEm0000000999");
        Assert.Equal("sf:INVALID_SESSION_ID", otherOrg.FaultCode);
    }

    [Fact]
    public async Task More_than_200_leads_are_refused_and_200_go_through_in_one_call()
    {
        var leads = Enumerable.Range(0, 201).Select(i => NewLead($"Bulk{i}")).ToList();

        var tooMany = await Soap(ConvertLeadEnvelope(leads.Select(id => LeadConvert(id)).ToArray()));
        Assert.Equal(HttpStatusCode.InternalServerError, tooMany.Status);
        Assert.Equal("sf:EXCEEDED_ID_LIMIT", tooMany.FaultCode);
        Assert.StartsWith("EXCEEDED_ID_LIMIT: ", tooMany.FaultString);
        Assert.Empty(Emulator.Org.Query("SELECT Id FROM Lead WHERE IsConverted = true AND LastName LIKE 'Bulk%'"));

        var maximum = await Soap(ConvertLeadEnvelope(leads.Take(200).Select(id => LeadConvert(id)).ToArray()));
        Assert.Equal(200, maximum.Results.Count(r => Value(r, "success") == "true"));
        Assert.Equal(200, Emulator.Org.Query("SELECT Id FROM Lead WHERE IsConverted = true AND LastName LIKE 'Bulk%'").Count);
    }

    [Fact]
    public async Task One_soap_call_is_one_counted_call_and_is_logged()
    {
        var leads = Enumerable.Range(0, 3).Select(i => NewLead($"Counted{i}")).ToList();
        var answer = await Soap(ConvertLeadEnvelope(leads.Select(id => LeadConvert(id)).ToArray()));
        Assert.All(answer.Results, r => Assert.Equal("true", Value(r, "success")));
        Assert.Equal("api-usage=1/15000", answer.Response.Headers.GetValues("Sforce-Limit-Info").Single());

        var counts = await Counts();
        Assert.Equal(1, counts["apiCalls"].GetValue<long>());
        Assert.Equal(1, counts["byEndpoint"]["soap"].GetValue<long>());
        Assert.Equal(9, counts["recordsWritten"].GetValue<long>()); // per lead: an account, a contact and the lead
        var entry = (await Control("requests", method: HttpMethod.Get))["requests"].AsArray().Single();
        Assert.Equal("POST", entry["method"].ToString());
        Assert.Equal(SoapPath, entry["path"].ToString());
        Assert.Equal("soap", entry["endpoint"].ToString());
        Assert.Equal(200, entry["status"].GetValue<int>());
        Assert.Equal(1, entry["countedCalls"].GetValue<int>());
        Assert.Equal(3, entry["records"].GetValue<int>());

        await Control("limits", new { remaining = 0 });
        var over = await Soap(ConvertLeadEnvelope(LeadConvert(NewLead("Over"))));
        Assert.Equal("sf:REQUEST_LIMIT_EXCEEDED", over.FaultCode);
    }

    [Fact]
    public async Task Malformed_xml_and_other_operations_get_faults()
    {
        var malformed = await Soap("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><unclosed>");
        Assert.Equal(HttpStatusCode.InternalServerError, malformed.Status);
        Assert.Equal("sf:INVALID_XML", malformed.FaultCode);

        var notSoap = await Soap("<hello/>");
        Assert.Equal("sf:INVALID_XML", notSoap.FaultCode);

        var query = await Soap(Envelope("<urn:query><urn:queryString>SELECT Id FROM Lead</urn:queryString></urn:query>"));
        Assert.Equal(HttpStatusCode.InternalServerError, query.Status);
        Assert.Equal("sf:INVALID_OPERATION", query.FaultCode);
        Assert.Contains("not supported by the Salesforce emulator", query.FaultString);

        var unknownElement = await Soap(ConvertLeadEnvelope("<urn:leadConverts><urn:leadId>00QEm0000000001</urn:leadId><urn:colour>red</urn:colour></urn:leadConverts>"));
        Assert.Equal("soapenv:Client", unknownElement.FaultCode);

        var noAction = await Soap(ConvertLeadEnvelope(LeadConvert(LenaLeadId)), soapAction: null);
        Assert.Equal("soapenv:Client", noAction.FaultCode);
        var json = await Soap(ConvertLeadEnvelope(LeadConvert(LenaLeadId)), contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.Status);
        var oldVersion = await Soap(ConvertLeadEnvelope(LeadConvert(LenaLeadId)), path: "/services/Soap/u/30.0");
        Assert.Equal("sf:UNSUPPORTED_API_VERSION", oldVersion.FaultCode);

        Assert.False(Emulator.Org.Get(LenaLeadId)["IsConverted"].GetValue<bool>());
    }

    [Fact]
    public async Task All_or_none_header_rolls_every_conversion_back()
    {
        string good = NewLead("AllGood");
        int accounts = Emulator.Org.Count("Account");
        var envelope = Envelope($"<urn:convertLead>{LeadConvert(good)}{LeadConvert("00QEm0000000999")}</urn:convertLead>",
            extraHeaders: "<urn:AllOrNoneHeader><urn:allOrNone>true</urn:allOrNone></urn:AllOrNoneHeader>");
        var results = (await Soap(envelope)).Results;
        AssertFailure(results[0], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
        AssertFailure(results[1], "INVALID_CROSS_REFERENCE_KEY");
        Assert.Equal(accounts, Emulator.Org.Count("Account"));
        Assert.False(Emulator.Org.Get(good)["IsConverted"].GetValue<bool>());
    }

    [Fact]
    public async Task Faults_and_latency_apply_to_the_soap_endpoint()
    {
        string leadId = NewLead("Faulty");
        await Control("faults", new { kind = "Http503", pathContains = "/Soap" });
        var unavailable = await Soap(ConvertLeadEnvelope(LeadConvert(leadId)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.Status);
        Assert.Equal("sf:SERVER_UNAVAILABLE", unavailable.FaultCode);

        await Control("faults", new { kind = "InvalidSession", pathContains = "/Soap" });
        Assert.Equal("sf:INVALID_SESSION_ID", (await Soap(ConvertLeadEnvelope(LeadConvert(leadId)))).FaultCode);

        string other = NewLead("Locked");
        await Control("faults", new { kind = "UnableToLockRow", pathContains = "/Soap", recordIndexes = new[] { 1 } });
        var results = (await Soap(ConvertLeadEnvelope(LeadConvert(leadId), LeadConvert(other)))).Results;
        Assert.Equal("true", Value(results[0], "success"));
        AssertFailure(results[1], "UNABLE_TO_LOCK_ROW");
        Assert.False(Emulator.Org.Get(other)["IsConverted"].GetValue<bool>());

        var log = (await Control("requests", method: HttpMethod.Get))["requests"].AsArray();
        Assert.Equal(new[] { "Http503", "InvalidSession", "UnableToLockRow" }, log.Select(e => e["fault"]?.ToString()));

        await Control("latency", new { ms = 300 });
        var watch = Stopwatch.StartNew();
        await Soap(ConvertLeadEnvelope(LeadConvert(other)));
        Assert.True(watch.ElapsedMilliseconds >= 280, $"{watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Rest_serves_what_a_leads_and_contacts_sync_needs()
    {
        var describe = (await Get($"{V}/sobjects/Lead/describe")).Body["fields"].AsArray();
        var status = describe.Single(f => f["name"].ToString() == "Status");
        Assert.Equal(new[] { "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted", "Qualified" },
            status["picklistValues"].AsArray().Select(v => v["value"].ToString()));
        Assert.Contains(describe, f => f["name"].ToString() == "LeadSource");
        var contactFields = (await Get($"{V}/sobjects/Contact/describe")).Body["fields"].AsArray().Select(f => f["name"].ToString()).ToList();
        Assert.Subset(new HashSet<string>(contactFields), new HashSet<string> { "Email", "Phone", "Title", "Department", "MailingCity", "MailingCountry", "LeadSource" });

        var created = await Post($"{V}/sobjects/Lead", new JsonObject
        {
            ["LastName"] = "Rest", ["Company"] = "Rest Inc", ["Email"] = "rest@example.com", ["Status"] = "Working - Contacted", ["LeadSource"] = "Phone Inquiry",
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var badStatus = await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "X", ["Company"] = "Y", ["Status"] = "Maybe" });
        Assert.Equal("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ErrorCode(badStatus.Body));

        var leads = (await Query("SELECT Id, Email, Status, LeadSource, IsConverted FROM Lead WHERE Email IN ('rest@example.com', 'lena.lead@example.com') ORDER BY Email"))["records"].AsArray();
        Assert.Equal(new[] { "lena.lead@example.com", "rest@example.com" }, leads.Select(r => r["Email"].ToString()));
        Assert.Equal("Phone Inquiry", leads[1]["LeadSource"].ToString());

        var contacts = (await Query($"SELECT Id, Email, Phone, Title, Department, MailingCity, MailingCountry, AccountId FROM Contact " +
            $"WHERE Email IN ('carla.community@example.com', 'connie.newcomer@example.com', 'paul.partner@example.com') AND AccountId = '{AcmeId}'"))["records"].AsArray();
        Assert.Equal(2, contacts.Count);
        var business = (await Query("SELECT Id, Account.Name FROM Contact WHERE Email != null"))["records"].AsArray();
        Assert.Equal(3, business.Count);

        // A converted lead refuses REST writes, including a status change.
        var patch = await Patch($"{V}/sobjects/Lead/{ConvertedLeadId}", new JsonObject { ["Status"] = "Working - Contacted" });
        Assert.Equal("CANNOT_UPDATE_CONVERTED_LEAD", ErrorCode(patch.Body));
        var readOnly = await Patch($"{V}/sobjects/Lead/{LenaLeadId}", new JsonObject { ["IsConverted"] = true });
        Assert.Equal("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorCode(readOnly.Body));
    }

    [Fact]
    public async Task New_records_belong_to_owner_id_or_else_to_the_leads_owner()
    {
        // SOAP API, LeadConvert: ownerId owns the new account and contact; without it, the lead's owner does.
        string owned = NewLead("Owned", l => l["OwnerId"] = AliceId);
        var byLeadOwner = Assert.Single((await Soap(ConvertLeadEnvelope(LeadConvert(owned)))).Results);
        Assert.StartsWith(AliceId, Emulator.Org.Get(Value(byLeadOwner, "accountId"))["OwnerId"].ToString());
        Assert.StartsWith(AliceId, Emulator.Org.Get(Value(byLeadOwner, "contactId"))["OwnerId"].ToString());

        string other = NewLead("Other", l => l["OwnerId"] = AliceId);
        var byOwnerId = Assert.Single((await Soap(ConvertLeadEnvelope(LeadConvert(other, ownerId: "005Em0000000004")))).Results);
        Assert.StartsWith("005Em0000000004", Emulator.Org.Get(Value(byOwnerId, "contactId"))["OwnerId"].ToString());
    }
}
