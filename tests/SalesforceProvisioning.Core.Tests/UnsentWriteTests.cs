using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// A change a stop kept from being sent says "not sent" (nothing of it was written, the next run writes it);
    /// "not confirmed" is kept for a change that was sent and may have been carried out.
    /// </summary>
    public class UnsentWriteTests
    {
        private static SalesforceException Limit() => new SalesforceException(SalesforceFailure.RequestLimitExceeded,
            "The org's daily API allowance is used up.", "Wait until it resets.");

        [Fact]
        public void A_stop_during_the_group_writes_leaves_the_member_changes_not_sent_and_the_group_write_not_confirmed()
        {
            var plan = new GroupPlan(new SourceGroup { Name = "Halfway" }) { Action = SfGroupAction.Created };
            plan.Create = new JObject { ["Name"] = "Halfway" };
            plan.Members.Add(new MemberChange { Member = new MemberRef(SfMemberType.User, "ann@example.com"), Action = SfMembershipAction.Added });

            plan.FailUnwritten(Limit());

            var member = Assert.Single(plan.Members);
            Assert.Equal(SfMembershipAction.Failed, member.Action);
            Assert.StartsWith("Not sent: the run stopped before it", member.Message);
            Assert.EndsWith("the next run writes it.", member.Message);
            Assert.DoesNotContain("confirmed", member.Message);
            Assert.Equal(SfGroupAction.Failed, plan.Action);
            Assert.Contains("Not confirmed", plan.Message); // the group's create was sent: Salesforce may have done it
        }

        [Fact]
        public void Ctrl_c_gives_the_not_sent_code_and_a_stop_a_person_must_fix_keeps_its_own()
        {
            Assert.Equal(CompositeWriter.NotSentCode, NotSent.Code(null));
            Assert.Equal(CompositeWriter.NotSentCode, NotSent.Code(new SalesforceException(SalesforceFailure.Stopped, "Stopped.", "Run again.")));
            Assert.Equal("RequestLimitExceeded", NotSent.Code(Limit()));
            Assert.Equal("Not sent: the run stopped before it (The org's daily API allowance is used up); the next run writes it.", NotSent.Message(Limit()));
        }
    }
}
