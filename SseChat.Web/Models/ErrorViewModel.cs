namespace SseChat.Web.Models;

public sealed record ErrorViewModel(int StatusCode, string Title, string? RequestId);
