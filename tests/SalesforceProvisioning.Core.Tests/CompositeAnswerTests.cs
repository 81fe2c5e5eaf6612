using System.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// Composite answers of query subrequests are read record by record from the response text (issue 14: no
    /// tree of the whole answer). The shape follows Salesforce's Composite resource documentation
    /// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm):
    /// each subrequest answer has body, httpHeaders, httpStatusCode and referenceId, body first in its examples,
    /// and a failed subrequest's body is a list of errors.
    /// </summary>
    public class CompositeAnswerTests
    {
        private const string Answer = @"{""compositeResponse"":[
            {""body"":{""totalSize"":3,""done"":false,""nextRecordsUrl"":""/services/data/v62.0/query/01gQ-2000"",
                ""records"":[{""attributes"":{""type"":""User"",""url"":""/u/1""},""Id"":""005A"",""Username"":""a@x.com"",""Profile"":{""Name"":""Standard User""},""LastLoginDate"":""2026-01-02T03:04:05.000+0000"",""IsActive"":true},
                             {""Id"":""005B"",""Username"":""b@x.com"",""Title"":null}]},
             ""httpHeaders"":{},""httpStatusCode"":200,""referenceId"":""p0""},
            {""httpStatusCode"":200,""referenceId"":""p1"",""body"":{""totalSize"":3,""done"":true,""records"":[{""Id"":""005C"",""Username"":""c@x.com""}]}},
            {""body"":[{""errorCode"":""PROCESSING_HALTED"",""message"":""Invalid reference specified. No value for p1.nextRecordsUrl found in p1.""}],
             ""httpHeaders"":{},""httpStatusCode"":400,""referenceId"":""p2""}]}";

        [Fact]
        public void Each_subrequest_answer_keeps_its_records_paging_and_status_whatever_the_order_of_its_fields()
        {
            var answers = QueryAnswer.ReadComposite(Answer);
            Assert.Equal(3, answers.Count);

            Assert.Equal(200, answers[0].Status);
            Assert.False(answers[0].Done);
            Assert.Equal("/services/data/v62.0/query/01gQ-2000", answers[0].NextRecordsUrl);
            Assert.Equal(new[] { "a@x.com", "b@x.com" }, answers[0].Records.Select(r => r.Value<string>("Username")));
            Assert.Equal("Standard User", answers[0].Records[0]["Profile"].Value<string>("Name"));
            // Date-times stay the text Salesforce sent (never turned into a local DateTime).
            Assert.Equal("2026-01-02T03:04:05.000+0000", answers[0].Records[0].Value<string>("LastLoginDate"));
            Assert.True(answers[0].Records[0].Value<bool>("IsActive"));
            answers[0].EnsureSuccess();

            Assert.True(answers[1].Done);
            Assert.Null(answers[1].NextRecordsUrl);
            Assert.Equal("c@x.com", answers[1].Records.Single().Value<string>("Username"));
        }

        [Fact]
        public void A_failed_subrequest_throws_its_error_when_its_success_is_required()
        {
            var failed = QueryAnswer.ReadComposite(Answer)[2];
            Assert.Equal(400, failed.Status);
            Assert.Empty(failed.Records);
            var error = Assert.Throws<SalesforceApiException>(failed.EnsureSuccess);
            Assert.Contains("PROCESSING_HALTED", error.ErrorCode + error.Message);
        }
    }
}
