using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;

namespace SseChat.Web.Models;

/// <summary>Query of <c>GET /rooms/{slug}/messages</c>. The upper bound of limit comes from configuration.</summary>
public sealed class HistoryQuery
{
    [FromQuery(Name = "before")]
    [Range(1, long.MaxValue, ErrorMessage = "before must be a positive seq.")]
    public long? Before { get; set; }

    [FromQuery(Name = "limit")]
    [Range(1, int.MaxValue, ErrorMessage = "limit must be at least 1.")]
    public int? Limit { get; set; }
}
