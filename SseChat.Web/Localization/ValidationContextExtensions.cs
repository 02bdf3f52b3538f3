using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Localization;

namespace SseChat.Web.Localization;

internal static class ValidationContextExtensions
{
    /// <summary>
    /// A message from <see cref="ValidationMessages"/> in the request's language. MVC localizes the built-in
    /// attributes through their adapters; our own attributes and IValidatableObject models have none, so they look
    /// their message up here, through the request's services that MVC puts on the context.
    /// </summary>
    public static string Localized(this ValidationContext context, string key, params object[] arguments) =>
        context.GetService(typeof(IStringLocalizer<ValidationMessages>)) is IStringLocalizer text
            ? text[key, arguments]
            : throw new InvalidOperationException("Validation ran without the request's services; messages cannot be localized.");
}
