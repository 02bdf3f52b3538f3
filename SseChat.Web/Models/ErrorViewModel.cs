namespace SseChat.Web.Models;

/// <param name="FromAdminArea">Whether the failed page was in the admin area, where its way back leads.</param>
public sealed record ErrorViewModel(int StatusCode, string Title, string? RequestId, bool FromAdminArea = false);
