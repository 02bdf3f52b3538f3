using System.Globalization;
using System.Text.RegularExpressions;
using SseChat.Web.Data;

namespace SseChat.Web.Extensions;

/// <summary>The <c>{slug:slug}</c> route constraint: anything that cannot be a room slug never reaches an action.</summary>
internal sealed partial class SlugRouteConstraint : IRouteConstraint
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values,
        RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value)
        && Convert.ToString(value, CultureInfo.InvariantCulture) is { } slug
        && SlugPattern().IsMatch(slug);

    [GeneratedRegex(Room.SlugPattern)]
    private static partial Regex SlugPattern();
}
