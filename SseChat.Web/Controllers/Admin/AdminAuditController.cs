using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseChat.Web.Admin;
using SseChat.Web.Models.Admin;

namespace SseChat.Web.Controllers.Admin;

[Route("admin/audit")]
public sealed class AdminAuditController(AuditLog audit, IOptions<AdminOptions> options) : AdminControllerBase
{
    /// <summary>The audit log, newest first, a page at a time (Admin:AuditPageSize), of one action or all.</summary>
    [HttpGet("")]
    public async Task<IActionResult> Index(AuditQuery query, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return ValidationProblem(ModelState);
        }
        var pageSize = options.Value.AuditPageSize;
        // One more than shown tells whether an older page exists.
        var entries = await audit.PageAsync(query.Before, query.Action, pageSize + 1, cancellationToken);
        var older = entries.Count > pageSize ? entries[pageSize - 1].Id : (long?)null;
        return View(new AuditPageViewModel(entries.Take(pageSize).ToList(), query.Action, query.Before is null, older));
    }
}
