using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;

namespace SseChat.Web.Models;

/// <summary>Query of <c>GET /rooms/{slug}/messages</c>. The upper bound of limit comes from configuration.</summary>
public sealed class HistoryQuery
{
    [FromQuery(Name = "before")]
    [Range(1, long.MaxValue, ErrorMessage = "BeforeNotPositive")]
    [Display(Name = "HistoryBefore")]
    public long? Before { get; set; }

    [FromQuery(Name = "limit")]
    [Range(1, int.MaxValue, ErrorMessage = "LimitBelowOne")]
    [Display(Name = "HistoryLimit")]
    public int? Limit { get; set; }
}
