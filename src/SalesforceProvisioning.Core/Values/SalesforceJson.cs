using System.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Parses Salesforce's JSON keeping date-times as the text Salesforce sent: Newtonsoft's default turns
    /// them into local DateTimes, which shifts them by the machine's offset when they are written back out.
    /// Compare them with <see cref="Instant"/>.
    /// </summary>
    public static class SalesforceJson
    {
        public static JToken Parse(string json)
        {
            using (var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None })
            {
                JToken token = JToken.ReadFrom(reader);
                while (reader.Read()) { } // surface trailing garbage as a JsonReaderException, as JToken.Parse does
                return token;
            }
        }

        public static JObject ParseObject(string json) => (JObject)Parse(json);
    }
}
