using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// One emulator per test class, started the way an admin starts it (Start-SfEmulator), plus its
    /// control endpoints for resetting, injecting faults and counting API calls.
    /// </summary>
    public class EmulatorFixture : IDisposable
    {
        private readonly PowerShellHost _owner = new PowerShellHost();
        private readonly HttpClient _http = new HttpClient();

        public EmulatorFixture() : this("") { }

        /// <summary>An emulator started with extra Start-SfEmulator parameters (e.g. -JwtCertificatePath).</summary>
        protected EmulatorFixture(string startParameters)
        {
            // the longest start wait allowed: a busy machine must not fail the suite
            var started = _owner.Run("Start-SfEmulator -StartTimeoutSeconds 600 " + startParameters);
            if (started.Errors.Count > 0) throw new InvalidOperationException("Start-SfEmulator failed: " + started.Errors[0]);
            Emulator = started.Output.Single();
            ControlUrl = Emulator.Prop("ControlUrl");
            _defaultSeed = Get("seed").ToJsonString();
        }

        private readonly string _defaultSeed;

        /// <summary>An ordinary org: Person Accounts off, so Account has no IsPersonAccount field (the emulator's default).</summary>
        public const string BusinessOnly = "BusinessOnly";

        /// <summary>The same org with Person Accounts on and one person account, Jane Doe.</summary>
        public const string PersonAccounts = "PersonAccounts";

        /// <summary>Both org shapes, for tests that must hold in either.</summary>
        public static TheoryData<string> OrgShapes => new TheoryData<string> { BusinessOnly, PersonAccounts };

        /// <summary>Reloads the emulator's data as an org of the given shape.</summary>
        public void UseOrg(string shape)
        {
            if (shape == BusinessOnly) { Post("seed", _defaultSeed); return; }
            var seed = JsonNode.Parse(_defaultSeed).AsObject();
            seed["org"]["personAccounts"] = true;
            seed["objects"]["Account"].AsArray().Add(new JsonObject
            {
                ["Id"] = "001Em0000000002", ["FirstName"] = "Jane", ["LastName"] = "Doe", ["PersonEmail"] = "jane.doe@example.com",
            });
            Post("seed", seed.ToJsonString());
        }

        /// <summary>Reloads the emulator's data as the default seed changed by <paramref name="edit"/> (fewer seats, more roles).</summary>
        public void UseSeed(Action<JsonObject> edit)
        {
            var seed = JsonNode.Parse(_defaultSeed).AsObject();
            edit(seed);
            Post("seed", seed.ToJsonString());
        }

        /// <summary>
        /// Reloads the emulator's data as the default seed with <paramref name="count"/> more Standard Users,
        /// <paramref name="name"/>0 to <paramref name="name"/>(count - 1) at <paramref name="domain"/>.
        /// </summary>
        public void UseSeedWithUsers(int count, string name, string domain, string alias) => UseSeed(seed =>
        {
            string lastName = char.ToUpperInvariant(name[0]) + name.Substring(1);
            var users = seed["objects"]["User"].AsArray();
            for (int i = 0; i < count; i++)
                users.Add(new JsonObject
                {
                    ["Username"] = $"{name}{i}@{domain}", ["LastName"] = $"{lastName}{i}", ["Email"] = $"{name}{i}@{domain}",
                    ["Alias"] = alias, ["TimeZoneSidKey"] = "GMT", ["LocaleSidKey"] = "en_US", ["EmailEncodingKey"] = "UTF-8",
                    ["LanguageLocaleKey"] = "en_US", ["ProfileId"] = "00eEm0000000002",
                });
        });

        /// <summary>
        /// Runs <paramref name="script"/> in <paramref name="ps"/>, asserts it raised no error, and returns the API
        /// calls it made; <paramref name="actions"/> is each result's Action.
        /// </summary>
        public long Calls(PowerShellHost ps, string script, out string[] actions)
        {
            long before = ApiCalls;
            var run = ps.Run(script);
            Assert.Empty(run.Errors);
            actions = run.Output.Select(o => o.Prop("Action")).ToArray();
            return ApiCalls - before;
        }

        /// <summary>The SfEmulatorInstance object, to pipe into New-SfProvisioningConnection.</summary>
        public PSObject Emulator { get; }

        public string ControlUrl { get; }

        /// <summary>A fresh runspace with $emu set and $c a connection to the emulator (fast retries for tests).</summary>
        public PowerShellHost NewSession(string connectionArguments = "", System.Management.Automation.Host.PSHost consoleHost = null)
        {
            var host = new PowerShellHost(consoleHost);
            var result = host.Run("$c = $emu | New-SfProvisioningConnection -RetryDelayMilliseconds 10 " + connectionArguments, new Hashtable { ["emu"] = Emulator });
            if (result.Errors.Count > 0) throw new InvalidOperationException("New-SfProvisioningConnection failed: " + result.Errors[0]);
            return host;
        }

        public void Reset() => Post("reset", "{}");

        public JsonNode Post(string path, string json)
        {
            var response = _http.PostAsync($"{ControlUrl}/{path}", new StringContent(json, Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
            string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {body}");
            return string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body);
        }

        public JsonNode Get(string path) => JsonNode.Parse(_http.GetStringAsync($"{ControlUrl}/{path}").GetAwaiter().GetResult());

        /// <summary>API calls as Salesforce counts them against the daily limit.</summary>
        public long ApiCalls => Get("counts")["apiCalls"].GetValue<long>();

        /// <summary>Reads the org directly over the REST API (for assertions; counts as API calls).</summary>
        public JsonArray Query(string soql) => QueryPage(soql)["records"].AsArray();

        /// <summary>Creates a record directly over the REST API (test setup, as another admin would); returns its Id.</summary>
        public string Create(string sObjectType, object fields)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Emulator.Prop("InstanceUrl")}/services/data/v62.0/sobjects/{sObjectType}")
            {
                Content = new StringContent(JsonSerializer.Serialize(fields), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessToken());
            var response = _http.Send(request);
            string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"create {sObjectType}: {(int)response.StatusCode} {body}");
            return JsonNode.Parse(body)["id"].ToString();
        }

        /// <summary>Converts a lead with the partner SOAP API's convertLead, as a sales rep would in Salesforce.</summary>
        public void ConvertLead(string leadId, string accountId, string convertedStatus = "Closed - Converted")
        {
            string envelope = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:urn=\"urn:partner.soap.sforce.com\">"
                + $"<soapenv:Header><urn:SessionHeader><urn:sessionId>{System.Security.SecurityElement.Escape(AccessToken())}</urn:sessionId></urn:SessionHeader></soapenv:Header>"
                + $"<soapenv:Body><urn:convertLead><urn:leadConverts><urn:accountId>{accountId}</urn:accountId><urn:convertedStatus>{convertedStatus}</urn:convertedStatus>"
                + $"<urn:doNotCreateOpportunity>true</urn:doNotCreateOpportunity><urn:leadId>{leadId}</urn:leadId></urn:leadConverts></urn:convertLead></soapenv:Body></soapenv:Envelope>";
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Emulator.Prop("InstanceUrl")}/services/Soap/u/62.0") { Content = new StringContent(envelope, Encoding.UTF8, "text/xml") };
            request.Headers.Add("SOAPAction", "\"\"");
            var response = _http.Send(request);
            string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode || !body.Contains("<success>true</success>")) throw new InvalidOperationException($"convertLead: {(int)response.StatusCode} {body}");
        }

        /// <summary>Sends a Bulk API 2.0 request directly (test setup and checks, as another integration would); returns the JSON answer.</summary>
        public JsonNode Bulk(HttpMethod method, string relative, object body = null)
        {
            using var request = new HttpRequestMessage(method, $"{Emulator.Prop("InstanceUrl")}/services/data/v62.0/jobs/ingest{relative}");
            if (body != null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessToken());
            var response = _http.Send(request);
            string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"bulk {relative}: {(int)response.StatusCode} {text}");
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }

        /// <summary>The totalSize of a query (for COUNT()).</summary>
        public long QueryTotal(string soql) => QueryPage(soql)["totalSize"].GetValue<long>();

        private JsonNode QueryPage(string soql)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{Emulator.Prop("InstanceUrl")}/services/data/v62.0/query?q={Uri.EscapeDataString(soql)}");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessToken());
            var response = _http.Send(request);
            string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"query: {(int)response.StatusCode} {body}");
            return JsonNode.Parse(body);
        }

        private string AccessToken()
        {
            string secret = _owner.Run("[System.Net.NetworkCredential]::new('', $emu.ClientSecret).Password", new Hashtable { ["emu"] = Emulator }).Output.Single().ToString();
            var grant = _http.PostAsync($"{Emulator.Prop("Domain")}/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = Emulator.Prop("ClientId"), ["client_secret"] = secret,
            })).GetAwaiter().GetResult();
            string token = JsonNode.Parse(grant.Content.ReadAsStringAsync().GetAwaiter().GetResult())["access_token"].ToString();
            return token;
        }

        /// <summary>Records created, updated or deleted so far (reset by Reset()).</summary>
        public long RecordsWritten => Get("counts")["recordsWritten"].GetValue<long>();

        public void InjectFaults(object rules) => Post("faults", JsonSerializer.Serialize(rules));

        public void ClearFaults() => _http.DeleteAsync($"{ControlUrl}/faults").GetAwaiter().GetResult().EnsureSuccessStatusCode();

        public virtual void Dispose()
        {
            _owner.Run("$emu | Stop-SfEmulator", new Hashtable { ["emu"] = Emulator });
            _owner.Dispose();
            _http.Dispose();
        }
    }
}
