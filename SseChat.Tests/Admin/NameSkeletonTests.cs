using SseChat.Web.Admin;

namespace SseChat.Tests.Admin;

/// <summary>What counts as a look-alike of a name (docs/protocol.md, "Display names").</summary>
public sealed class NameSkeletonTests
{
    [Theory]
    [InlineData("admin", "Admin")]
    [InlineData("admin", "аdmin")]        // Cyrillic а
    [InlineData("admin", "ΑDMIN")]        // Greek capital alpha
    [InlineData("admin", "ａｄｍｉｎ")]     // full-width
    [InlineData("admin", "admln")]
    [InlineData("admin", "adm1n")]
    [InlineData("Moderator", "M0derat0r")]
    [InlineData("Mod Team", "Mod\u00a0 Team")] // no-break space, two spaces
    [InlineData("root", "rооt")]          // Cyrillic о
    [InlineData("admin", "ad\u034fmin\ufe0f")] // a combining grapheme joiner and a variation selector, stored before the rule
    public void Look_alikes_share_a_skeleton(string name, string lookAlike) =>
        Assert.Equal(NameSkeleton.Of(name), NameSkeleton.Of(lookAlike));

    [Theory]
    [InlineData("admin", "admins")]
    [InlineData("admin", "ádmin")]        // an accent shows
    [InlineData("Moderator", "Moderator2")]
    [InlineData("Mod Team", "ModTeam")]
    [InlineData("李雷", "李雪")]
    public void Names_that_look_different_do_not(string name, string other) =>
        Assert.NotEqual(NameSkeleton.Of(name), NameSkeleton.Of(other));
}
