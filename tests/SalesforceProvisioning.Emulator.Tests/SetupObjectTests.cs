using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class SetupObjectTests : EmulatorTest
{
    [Fact]
    public async Task Permission_set_assignments_are_create_and_delete_only_and_unique()
    {
        var assign = new JsonObject { ["AssigneeId"] = AliceId, ["PermissionSetId"] = "0PSEm0000000002" };
        var created = await Post($"{V}/sobjects/PermissionSetAssignment", assign);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var duplicate = await Post($"{V}/sobjects/PermissionSetAssignment", assign);
        Assert.Equal("DUPLICATE_VALUE", ErrorCode(duplicate.Body));
        Assert.StartsWith("Duplicate PermissionSetAssignment", duplicate.Body[0]["message"].ToString());

        var update = await Patch($"{V}/sobjects/PermissionSetAssignment/{created.Body["id"]}", new JsonObject { ["PermissionSetId"] = "0PSEm0000000003" });
        Assert.Equal("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorCode(update.Body));

        var profileOwned = await Post($"{V}/sobjects/PermissionSetAssignment", new JsonObject { ["AssigneeId"] = AliceId, ["PermissionSetId"] = "0PSEm0000000101" });
        Assert.Equal("INVALID_CROSS_REFERENCE_KEY", ErrorCode(profileOwned.Body));

        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/PermissionSetAssignment/{created.Body["id"]}")).Status);
        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/PermissionSetAssignment", assign)).Status);
    }

    // Object Reference, PermissionSetAssignment (developer.salesforce.com/docs/atlas.en-us.api.meta/api/
    // sforce_api_objects_permissionsetassignment.htm): ExpirationDate is a dateTime, Create, Nillable, Update.
    [Fact]
    public async Task Permission_set_assignments_take_an_expiration_date_on_create_and_update()
    {
        var created = await Post($"{V}/sobjects/PermissionSetAssignment", new JsonObject
        {
            ["AssigneeId"] = AliceId, ["PermissionSetGroupId"] = "0PGEm0000000001", ["ExpirationDate"] = "2027-01-01T00:00:00.000Z",
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        string id = created.Body["id"].ToString();
        var read = await Query($"SELECT ExpirationDate, PermissionSetGroupId FROM PermissionSetAssignment WHERE Id = '{id}'");
        Assert.StartsWith("2027-01-01T00:00:00", read["records"][0]["ExpirationDate"].ToString());

        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/PermissionSetAssignment/{id}", new JsonObject { ["ExpirationDate"] = "2027-06-30T12:00:00.000Z" })).Status);
        read = await Query($"SELECT ExpirationDate FROM PermissionSetAssignment WHERE Id = '{id}'");
        Assert.StartsWith("2027-06-30T12:00:00", read["records"][0]["ExpirationDate"].ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/PermissionSetAssignment/{id}", new JsonObject { ["ExpirationDate"] = null })).Status);
        read = await Query($"SELECT ExpirationDate FROM PermissionSetAssignment WHERE Id = '{id}'");
        Assert.Null(read["records"][0]["ExpirationDate"]);
    }

    [Fact]
    public async Task Group_members_are_unique_and_go_with_their_group()
    {
        var group = await Post($"{V}/sobjects/Group", new JsonObject { ["Name"] = "Night Shift" });
        Assert.Equal(HttpStatusCode.Created, group.Status);
        string groupId = group.Body["id"].ToString();
        Assert.Equal("Night_Shift", (await Get($"{V}/sobjects/Group/{groupId}")).Body["DeveloperName"].ToString());
        Assert.Equal("Regular", (await Get($"{V}/sobjects/Group/{groupId}")).Body["Type"].ToString());

        var member = new JsonObject { ["GroupId"] = groupId, ["UserOrGroupId"] = AliceId };
        var added = await Post($"{V}/sobjects/GroupMember", member);
        Assert.Equal(HttpStatusCode.Created, added.Status);
        Assert.Equal("DUPLICATE_VALUE", ErrorCode((await Post($"{V}/sobjects/GroupMember", member)).Body));
        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/GroupMember", new JsonObject { ["GroupId"] = groupId, ["UserOrGroupId"] = "00GEm0000000001" })).Status);
        Assert.Equal("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorCode((await Patch($"{V}/sobjects/GroupMember/{added.Body["id"]}", new JsonObject { ["UserOrGroupId"] = "005Em0000000004" })).Body));

        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/Group/{groupId}")).Status);
        Assert.Equal(0, (await Query($"SELECT COUNT() FROM GroupMember WHERE GroupId = '{groupId}'"))["totalSize"].GetValue<int>());
    }

    [Theory]
    [InlineData("1Starts_With_Digit")]
    [InlineData("Double__Underscore")]
    [InlineData("Trailing_")]
    [InlineData("Has Space")]
    public async Task Group_developer_names_follow_the_api_name_rules(string developerName)
    {
        var (_, body, _) = await Post($"{V}/sobjects/Group", new JsonObject { ["Name"] = "Bad", ["DeveloperName"] = developerName });
        Assert.Equal("INVALID_FIELD", ErrorCode(body));
    }

    [Fact]
    public async Task Group_developer_names_are_unique_and_at_most_80_characters()
    {
        Assert.Equal("DUPLICATE_DEVELOPER_NAME", ErrorCode((await Post($"{V}/sobjects/Group", new JsonObject { ["Name"] = "Again", ["DeveloperName"] = "all_sales" })).Body));
        Assert.Equal("INVALID_FIELD", ErrorCode((await Post($"{V}/sobjects/Group", new JsonObject { ["Name"] = "Long", ["DeveloperName"] = "A" + new string('b', 80) })).Body));
    }

    [Fact]
    public async Task Users_can_be_frozen_but_guests_cannot()
    {
        var logins = await Query("SELECT Id, User.Username, User.UserType FROM UserLogin ORDER BY User.Username");
        string aliceLogin = logins["records"].AsArray().Single(r => r["User"]["Username"].ToString().StartsWith("alice"))["Id"].ToString();
        string guestLogin = logins["records"].AsArray().Single(r => r["User"]["UserType"].ToString() == "Guest")["Id"].ToString();

        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/UserLogin/{aliceLogin}", new JsonObject { ["IsFrozen"] = true })).Status);
        Assert.True((await Get($"{V}/sobjects/UserLogin/{aliceLogin}")).Body["IsFrozen"].GetValue<bool>());

        var guest = await Patch($"{V}/sobjects/UserLogin/{guestLogin}", new JsonObject { ["IsFrozen"] = true });
        Assert.Equal(HttpStatusCode.BadRequest, guest.Status);
        Assert.Equal("FIELD_INTEGRITY_EXCEPTION", ErrorCode(guest.Body));
        Assert.Equal("Guest users cannot be frozen", guest.Body[0]["message"].ToString());

        Assert.Equal("INVALID_TYPE_FOR_OPERATION", ErrorCode((await Post($"{V}/sobjects/UserLogin", new JsonObject())).Body));
        Assert.Equal("INVALID_TYPE_FOR_OPERATION", ErrorCode((await Delete($"{V}/sobjects/UserLogin/{aliceLogin}")).Body));
    }

    [Fact]
    public async Task Seeded_org_has_the_documented_shape()
    {
        Assert.Equal(6, (await Query("SELECT COUNT() FROM Profile"))["totalSize"].GetValue<int>());
        var assignable = await Query("SELECT Name, Label FROM PermissionSet WHERE IsOwnedByProfile = false AND Type = 'Regular' ORDER BY Name");
        Assert.Contains(assignable["records"].AsArray(), r => r["Label"].ToString() == "Partner's Admin");
        Assert.Contains((await Query("SELECT Name FROM Group WHERE Type = 'Regular'"))["records"].AsArray(), r => r["Name"].ToString() == "Support Team");
        Assert.Single((await Query(@"SELECT Id FROM PermissionSet WHERE Label = 'Partner\'s Admin'"))["records"].AsArray());
        var org = await Query("SELECT Id, Name FROM Organization");
        Assert.Equal("Emulator Org", org["records"][0]["Name"].ToString());
    }
}
