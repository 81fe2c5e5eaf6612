using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// One emulator per test class, started the way an admin starts it (Start-SfEmulator), plus its
    /// control endpoints for resetting, injecting faults and counting API calls.
    /// </summary>
    public sealed class EmulatorFixture : IDisposable
    {
        private readonly PowerShellHost _owner = new PowerShellHost();
        private readonly HttpClient _http = new HttpClient();

        public EmulatorFixture()
        {
            var started = _owner.Run("Start-SfEmulator -StartTimeoutSeconds 600"); // the longest allowed: a busy machine must not fail the suite
            if (started.Errors.Count > 0) throw new InvalidOperationException("Start-SfEmulator failed: " + started.Errors[0]);
            Emulator = started.Output.Single();
            ControlUrl = Emulator.Prop("ControlUrl");
        }

        /// <summary>The SfEmulatorInstance object, to pipe into New-SfProvisioningConnection.</summary>
        public PSObject Emulator { get; }

        public string ControlUrl { get; }

        /// <summary>A fresh runspace with $emu set and $c a connection to the emulator (fast retries for tests).</summary>
        public PowerShellHost NewSession(string connectionArguments = "")
        {
            var host = new PowerShellHost();
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

        public void Dispose()
        {
            _owner.Run("$emu | Stop-SfEmulator", new Hashtable { ["emu"] = Emulator });
            _owner.Dispose();
            _http.Dispose();
        }
    }
}
