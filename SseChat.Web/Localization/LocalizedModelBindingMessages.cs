using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace SseChat.Web.Localization;

/// <summary>
/// Model binding's own messages ("The value 'x' is not valid for limit.") in the reader's language. The accessors run
/// per request, and the localizer reads the request's UI culture when called, so one localizer serves every request.
/// </summary>
internal sealed class LocalizedModelBindingMessages(IStringLocalizer<ValidationMessages> text) : IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions options)
    {
        var messages = options.ModelBindingMessageProvider;
        messages.SetAttemptedValueIsInvalidAccessor((value, field) => text["AttemptedValueIsInvalid", value, field]);
        messages.SetMissingBindRequiredValueAccessor(field => text["MissingBindRequiredValue", field]);
        messages.SetMissingKeyOrValueAccessor(() => text["MissingKeyOrValue"]);
        messages.SetMissingRequestBodyRequiredValueAccessor(() => text["MissingRequestBody"]);
        messages.SetNonPropertyAttemptedValueIsInvalidAccessor(value => text["NonPropertyAttemptedValueIsInvalid", value]);
        messages.SetNonPropertyUnknownValueIsInvalidAccessor(() => text["NonPropertyUnknownValueIsInvalid"]);
        messages.SetNonPropertyValueMustBeANumberAccessor(() => text["NonPropertyValueMustBeANumber"]);
        messages.SetUnknownValueIsInvalidAccessor(field => text["UnknownValueIsInvalid", field]);
        messages.SetValueIsInvalidAccessor(value => text["ValueIsInvalid", value]);
        messages.SetValueMustBeANumberAccessor(field => text["ValueMustBeANumber", field]);
        messages.SetValueMustNotBeNullAccessor(value => text["ValueMustNotBeNull", value]);
    }
}
