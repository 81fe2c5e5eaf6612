using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Whether this org has Person Accounts. They are off unless an org enables them, and then Account has
    /// no IsPersonAccount field: selecting it fails the whole query with INVALID_FIELD. So the Account
    /// describe, read once per run, decides what account queries select; in a business-only org every
    /// account is a business account.
    /// (Object Reference, "Person Account Record Types": the field marks person accounts where they exist.)
    /// </summary>
    internal sealed class AccountShape
    {
        private const string PersonAccountField = "IsPersonAccount";

        private AccountShape(bool hasPersonAccounts) => HasPersonAccounts = hasPersonAccounts;

        public bool HasPersonAccounts { get; }

        /// <summary>The fields account checks read: Id, Name, and IsPersonAccount where the org has it.</summary>
        public string SelectFields => HasPersonAccounts ? "Id, Name, " + PersonAccountField : "Id, Name";

        public bool IsPersonAccount(JObject account) => HasPersonAccounts && account?.Value<bool?>(PersonAccountField) == true;

        public static async Task<AccountShape> ReadAsync(SalesforceClient client, CancellationToken ct)
        {
            var describe = (JObject)await client.GetAsync(client.DataPath("sobjects/Account/describe"), ct).ConfigureAwait(false);
            return FromDescribe(describe);
        }

        /// <summary>The shape from an Account describe read elsewhere (in a composite call with other reads).</summary>
        public static AccountShape FromDescribe(JObject describe)
        {
            bool hasField = ((JArray)describe["fields"]).Cast<JObject>()
                .Any(f => string.Equals(f.Value<string>("name"), PersonAccountField, System.StringComparison.OrdinalIgnoreCase));
            return new AccountShape(hasField);
        }
    }
}
