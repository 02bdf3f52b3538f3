namespace SseChat.Web.Models;

/// <summary>The answer of GET /rooms/{slug}/token: the request token for the room page's form field
/// <c>__RequestVerificationToken</c> (its cookie comes with the same answer when the browser has none).</summary>
public sealed record FormTokenResponse(string Token);
