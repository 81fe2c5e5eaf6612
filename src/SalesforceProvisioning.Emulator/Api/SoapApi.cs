using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// The partner SOAP API at /services/Soap/u/NN.N[/orgId], as far as the emulator serves it: convertLead only.
/// Authenticated by the SessionHeader (or a Bearer header), one counted call per request, faults shaped as
/// Salesforce's (sf:EXCEPTION_CODE, "EXCEPTION_CODE: message", an UnexpectedErrorFault detail).
/// </summary>
internal sealed class SoapApi
{
    public const string PathPrefix = "/services/Soap/";
    public const string EnvelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string PartnerNamespace = "urn:partner.soap.sforce.com";
    public const string FaultNamespace = "urn:fault.partner.soap.sforce.com";
    public const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
    public const int MaxLeadConverts = 200;

    private static readonly Regex PartnerPath = new(@"^/services/Soap/u/(\d+)\.(\d)(?:/([^/]+))?/?$", RegexOptions.CultureInvariant);
    private static readonly XNamespace Soap = EnvelopeNamespace;
    private static readonly XNamespace Partner = PartnerNamespace;

    /// <summary>LeadConvert elements the emulator reads; the others of the WSDL are refused by name.</summary>
    private static readonly HashSet<string> LeadConvertElements = new(StringComparer.Ordinal)
    {
        "leadId", "accountId", "contactId", "convertedStatus", "ownerId", "overwriteLeadSource",
        // Accepted and without effect: no opportunity is ever created, no mail sent, no duplicate rules run.
        "doNotCreateOpportunity", "opportunityName", "sendNotificationEmail", "bypassAccountDedupeCheck", "bypassContactDedupeCheck",
    };

    private static readonly HashSet<string> UnsupportedLeadConvertElements = new(StringComparer.Ordinal)
    {
        "accountRecord", "contactRecord", "opportunityId", "opportunityRecord", "relatedPersonAccountId", "relatedPersonAccountRecord",
    };

    private readonly EmulatorState state;
    private readonly DataApi data;

    public SoapApi(EmulatorState state, DataApi data)
    {
        this.state = state;
        this.data = data;
    }

    private EmulatorOrg Org => state.Org;

    public static bool IsSoapPath(string path) => path.StartsWith(PathPrefix, StringComparison.Ordinal);

    /// <summary>A SOAP request as it arrived over HTTP. Runs under the state lock.</summary>
    public ApiResponse Handle(string method, string path, string contentType, string soapAction, string authorization, string body,
        FaultRule recordFault, RequestLogEntry entry)
    {
        var route = PartnerPath.Match(path);
        if (!route.Success)
            return Fault(404, "sf:UNKNOWN_EXCEPTION", "UNKNOWN_EXCEPTION",
                $"The emulator serves only the partner SOAP API at /services/Soap/u/NN.N (optionally followed by /orgId), not {path}");
        if (int.Parse(route.Groups[1].Value, CultureInfo.InvariantCulture) < DataApi.MinimumVersion)
            return Fault(500, "sf:UNSUPPORTED_API_VERSION", "UNSUPPORTED_API_VERSION", "Invalid Api version specified on URL");
        string version = $"{route.Groups[1].Value}.{route.Groups[2].Value}";
        if (method != "POST")
        {
            var notAllowed = ClientFault(405, $"HTTP method {method} is not allowed: SOAP requests are POSTed");
            notAllowed.Headers["Allow"] = "POST";
            return notAllowed;
        }
        if (!IsXmlContentType(contentType))
            return ClientFault(415, $"Content-Type '{contentType}' is not supported: send SOAP 1.1 requests as text/xml");
        if (soapAction == null)
            return ClientFault(500, "No SOAPAction header! Send SOAPAction: \"\" (or the operation name)");

        XElement envelope;
        try
        {
            envelope = ParseXml(body);
        }
        catch (XmlException ex)
        {
            return Fault(500, "sf:INVALID_XML", "INVALID_XML", $"The request body is not well-formed XML: {ex.Message}");
        }
        if (envelope.Name != Soap + "Envelope" || envelope.Element(Soap + "Body") is not { } soapBody)
            return Fault(500, "sf:INVALID_XML", "INVALID_XML",
                $"The request body is not a SOAP 1.1 envelope: expected {{{EnvelopeNamespace}}}Envelope holding a Body, found {envelope.Name}");

        var header = envelope.Element(Soap + "Header");
        string sessionId = header?.Element(Partner + "SessionHeader")?.Element(Partner + "sessionId")?.Value.Trim();
        var user = !string.IsNullOrEmpty(sessionId) ? data.Authenticate("Bearer " + sessionId) : data.Authenticate(authorization);
        if (user == null || (route.Groups[3].Success && !IsThisOrg(route.Groups[3].Value)))
            return InvalidSession();

        if (!state.Usage.TryConsume(1)) return RequestLimitExceeded();
        entry.CountedCalls = 1;

        var operation = soapBody.Elements().FirstOrDefault();
        if (operation == null)
            return Fault(500, "sf:INVALID_XML", "INVALID_XML", "The SOAP Body holds no operation element");
        if (operation.Name != Partner + "convertLead")
            return Fault(500, "sf:INVALID_OPERATION", "INVALID_OPERATION",
                $"The operation {operation.Name} is not supported by the Salesforce emulator: its SOAP endpoint serves {{{PartnerNamespace}}}convertLead only (use the REST API for everything else)");

        try
        {
            return ConvertLead(new CallContext(version, user, entry, recordFault), header, operation);
        }
        catch (SoapFaultException ex)
        {
            return ex.Response;
        }
    }

    /// <summary>The fault of an access token that is unknown, expired or revoked (also used by fault injection).</summary>
    public static ApiResponse InvalidSession() =>
        Fault(500, "sf:INVALID_SESSION_ID", "INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session");

    public static ApiResponse RequestLimitExceeded() =>
        Fault(500, "sf:REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");

    public static ApiResponse ServerUnavailable() =>
        Fault(503, "sf:SERVER_UNAVAILABLE", "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please retry your request later.");

    // ---- convertLead ---------------------------------------------------------------------------------------

    private ApiResponse ConvertLead(CallContext context, XElement header, XElement operation)
    {
        foreach (var element in operation.Elements())
            if (!IsPartnerElement(element) || element.Name.LocalName != "leadConverts")
                throw UnexpectedElement(element);
        var requests = operation.Elements().Select(ReadLeadConvert).ToList();
        if (requests.Count > MaxLeadConverts)
            return Fault(500, "sf:EXCEEDED_ID_LIMIT", "EXCEEDED_ID_LIMIT",
                $"record limit reached. cannot submit more than {MaxLeadConverts} records into this call (convertLead got {requests.Count} leadConverts)");
        context.Entry.Records += requests.Count;

        bool allOrNone = header?.Element(Partner + "AllOrNoneHeader")?.Element(Partner + "allOrNone") is { } flag && ParseBoolean(flag);
        var tx = context.Transaction;
        var savepoint = tx.CreateSavepoint();
        var results = requests.Select((request, index) =>
            Org.ConvertLead(tx, request, lead => context.FaultFor(index, null, lead))).ToList();
        bool rollBack = allOrNone && results.Any(r => !r.Success);
        if (rollBack)
        {
            tx.RollbackTo(savepoint);
            var rolledBack = new SalesforceError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "Record rolled back because not all records were valid and the request was using AllOrNone header");
            results = results.Select(r => r.Success ? LeadConvertResult.Failed(rolledBack) : r).ToList();
        }
        state.Usage.AddRecordsWritten(context.RecordsWritten);
        context.Entry.RecordsProcessed = context.RecordsProcessed;

        var xml = new XmlText();
        xml.Raw("<convertLeadResponse>");
        foreach (var result in results)
        {
            xml.Raw("<result>");
            xml.Element("accountId", result.AccountId);
            xml.Element("contactId", result.ContactId);
            foreach (var error in result.Errors)
            {
                xml.Raw("<errors>");
                foreach (var field in error.Fields) xml.Element("fields", field);
                xml.Element("message", error.Message);
                xml.Element("statusCode", error.StatusCode);
                xml.Raw("</errors>");
            }
            xml.Element("leadId", result.LeadId);
            xml.Element("opportunityId", null);
            xml.Element("success", result.Success ? "true" : "false");
            xml.Raw("</result>");
        }
        xml.Raw("</convertLeadResponse>");
        return ApiResponse.Xml(200, Envelope($"xmlns=\"{PartnerNamespace}\"", xml.ToString()));
    }

    private static LeadConvertRequest ReadLeadConvert(XElement leadConvert)
    {
        var values = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var element in leadConvert.Elements())
        {
            string name = element.Name.LocalName;
            if (IsPartnerElement(element) && UnsupportedLeadConvertElements.Contains(name))
                throw new SoapFaultException(Fault(500, "sf:INVALID_OPERATION", "INVALID_OPERATION",
                    $"LeadConvert.{name} is not supported by the Salesforce emulator (it never creates opportunities nor takes records inline)"));
            if (!IsPartnerElement(element) || !LeadConvertElements.Contains(name) || !values.TryAdd(name, element))
                throw UnexpectedElement(element);
        }
        string Text(string name) => values.TryGetValue(name, out var e) && !IsNil(e) && e.Value.Trim().Length > 0 ? e.Value.Trim() : null;
        bool Flag(string name) => values.TryGetValue(name, out var e) && !IsNil(e) && ParseBoolean(e);
        foreach (var ignored in new[] { "doNotCreateOpportunity", "sendNotificationEmail", "bypassAccountDedupeCheck", "bypassContactDedupeCheck" })
            Flag(ignored); // checked for a well-formed xsd:boolean, otherwise without effect
        return new LeadConvertRequest
        {
            LeadId = Text("leadId"),
            AccountId = Text("accountId"),
            ContactId = Text("contactId"),
            ConvertedStatus = Text("convertedStatus"),
            OwnerId = Text("ownerId"),
            OverwriteLeadSource = Flag("overwriteLeadSource"),
        };
    }

    // ---- Reading requests ----------------------------------------------------------------------------------

    private static XElement ParseXml(string body)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
        using var reader = XmlReader.Create(new StringReader(body ?? ""), settings);
        return XDocument.Load(reader).Root ?? throw new XmlException("The request body is empty.");
    }

    private static bool IsXmlContentType(string contentType)
    {
        string mediaType = (contentType ?? "").Split(';')[0].Trim();
        return string.Equals(mediaType, "text/xml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Children of partner elements are qualified (elementFormDefault="qualified"); unqualified ones are tolerated.</summary>
    private static bool IsPartnerElement(XElement element) => element.Name.Namespace == Partner || element.Name.Namespace == XNamespace.None;

    private static bool IsNil(XElement element) =>
        element.Attribute(XName.Get("nil", XsiNamespace)) is { } nil && nil.Value.Trim() is "true" or "1";

    private static bool ParseBoolean(XElement element) => element.Value.Trim() switch
    {
        "true" or "1" => true,
        "false" or "0" or "" => false,
        var other => throw new SoapFaultException(ClientFault(500,
            $"Unable to parse '{other}' as xsd:boolean in element {{{element.Name.NamespaceName}}}{element.Name.LocalName}")),
    };

    private static SoapFaultException UnexpectedElement(XElement element) =>
        new(ClientFault(500, $"Element {{{element.Name.NamespaceName}}}{element.Name.LocalName} invalid at this location"));

    private bool IsThisOrg(string orgId) =>
        SalesforceId.TryNormalize(orgId, out var id18) && id18 == SalesforceId.Normalize(Org.OrganizationId);

    // ---- Writing answers -----------------------------------------------------------------------------------

    /// <summary>An API fault: faultcode sf:CODE, faultstring "CODE: message" and an UnexpectedErrorFault detail.</summary>
    private static ApiResponse Fault(int status, string faultCode, string exceptionCode, string message)
    {
        var xml = new XmlText();
        xml.Raw("<soapenv:Fault>");
        xml.Element("faultcode", faultCode);
        xml.Element("faultstring", $"{exceptionCode}: {message}");
        xml.Raw("<detail><sf:UnexpectedErrorFault xsi:type=\"sf:UnexpectedErrorFault\">");
        xml.Element("sf:exceptionCode", exceptionCode);
        xml.Element("sf:exceptionMessage", message);
        xml.Raw("</sf:UnexpectedErrorFault></detail></soapenv:Fault>");
        return ApiResponse.Xml(status, Envelope($"xmlns:sf=\"{FaultNamespace}\"", xml.ToString()));
    }

    /// <summary>A fault of the SOAP layer itself (the request does not fit the WSDL): faultcode soapenv:Client, no detail.</summary>
    private static ApiResponse ClientFault(int status, string message)
    {
        var xml = new XmlText();
        xml.Raw("<soapenv:Fault>");
        xml.Element("faultcode", "soapenv:Client");
        xml.Element("faultstring", message);
        xml.Raw("</soapenv:Fault>");
        return ApiResponse.Xml(status, Envelope(null, xml.ToString()));
    }

    private static string Envelope(string extraNamespace, string bodyContent) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" +
        $"<soapenv:Envelope xmlns:soapenv=\"{EnvelopeNamespace}\"{(extraNamespace == null ? "" : " " + extraNamespace)} xmlns:xsi=\"{XsiNamespace}\">" +
        $"<soapenv:Body>{bodyContent}</soapenv:Body></soapenv:Envelope>";

    /// <summary>Writes XML the way Salesforce does (no whitespace, &lt;x xsi:nil="true"/&gt; for nulls).</summary>
    private sealed class XmlText
    {
        private readonly StringBuilder text = new();

        public void Raw(string markup) => text.Append(markup);

        public void Element(string name, string value)
        {
            if (value == null)
            {
                text.Append('<').Append(name).Append(" xsi:nil=\"true\"/>");
                return;
            }
            text.Append('<').Append(name).Append('>').Append(Escape(value)).Append("</").Append(name).Append('>');
        }

        public override string ToString() => text.ToString();

        private static string Escape(string value)
        {
            var escaped = new StringBuilder(value.Length);
            foreach (char c in value)
            {
                switch (c)
                {
                    case '&': escaped.Append("&amp;"); break;
                    case '<': escaped.Append("&lt;"); break;
                    case '>': escaped.Append("&gt;"); break;
                    case '\t' or '\n' or '\r': escaped.Append(c); break;
                    // Characters XML 1.0 cannot carry at all become '?', as a lossy but well-formed answer.
                    case < ' ' or '\uFFFE' or '\uFFFF': escaped.Append('?'); break;
                    default: escaped.Append(c); break;
                }
            }
            return escaped.ToString();
        }
    }

    private sealed class SoapFaultException : Exception
    {
        public SoapFaultException(ApiResponse response) : base(response.BodyText) => Response = response;

        public ApiResponse Response { get; }
    }
}
