using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Data;

namespace SseChat.Web.Models.Admin;

/// <summary>Query of <c>GET /admin/audit</c>: a keyset cursor and an optional action to show alone.</summary>
public sealed class AuditQuery
{
    /// <summary>Show entries older than this entry id (the "Older entries" link carries it); the newest when absent.</summary>
    [FromQuery(Name = "before")]
    [Range(1, long.MaxValue, ErrorMessage = "AuditBeforeNotPositive")]
    [Display(Name = "HistoryBefore")]
    public long? Before { get; set; }

    /// <summary>An action code, e.g. <c>RoomCreated</c>; an unknown one is a validation error.</summary>
    [FromQuery(Name = "action")]
    [Display(Name = "AuditActionFilter")]
    public AuditAction? Action { get; set; }
}

/// <summary>Query of <c>GET /admin/rooms/{slug}/messages</c>: a keyset cursor.</summary>
public sealed class ModerationQuery
{
    /// <summary>Show messages older than this seq (the "Older messages" link carries it); the newest when absent.</summary>
    [FromQuery(Name = "before")]
    [Range(1, long.MaxValue, ErrorMessage = "BeforeNotPositive")]
    [Display(Name = "HistoryBefore")]
    public long? Before { get; set; }
}
