using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Admin;

namespace SseChat.Web.Controllers.Admin;

[Route("admin/audit")]
public sealed class AdminAuditController(AuditLog audit) : AdminControllerBase
{
    private const int Shown = 200;

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await audit.LatestAsync(Shown, cancellationToken));
}
