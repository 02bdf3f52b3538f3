using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.WebEncoders;

namespace SseChat.Web.Localization;

internal static class LocalizationExtensions
{
    /// <summary>
    /// English and Simplified Chinese from .resx files under Resources/ (one per view or class): the language a
    /// reader picked with the switcher (a cookie) wins, else the browser's Accept-Language, else English.
    /// </summary>
    public static IMvcBuilder AddChatLocalization(this IMvcBuilder mvc)
    {
        var services = mvc.Services;
        services.AddLocalization(localization => localization.ResourcesPath = "Resources");
        services.AddOptions<LanguageOptions>()
            .BindConfiguration(LanguageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<RequestLocalizationOptions>().Configure<IOptions<LanguageOptions>>((localization, languages) =>
        {
            localization.SetDefaultCulture(SupportedCultures.Default)
                .AddSupportedCultures([.. SupportedCultures.All])
                .AddSupportedUICultures([.. SupportedCultures.All]);
            // Content-Language says which language a page or ProblemDetails is in, for tools and scripts.
            localization.ApplyCurrentCultureToResponseHeaders = true;
            // No query-string provider: a language is chosen once with the switcher, not carried in every link.
            localization.RequestCultureProviders =
            [
                new CookieRequestCultureProvider(),
                new ChineseAcceptLanguageProvider
                {
                    MaximumAcceptLanguageHeaderValuesToTry = languages.Value.AcceptLanguageValuesToTry,
                },
            ];
        });

        // Razor's encoder escapes everything outside Basic Latin by default, so a Chinese page (and every message
        // written in Chinese) would go out as &#x...; entities: correct, but three times the bytes and unreadable in
        // view-source. HTML-significant characters are still escaped.
        services.Configure<WebEncoderOptions>(encoder => encoder.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));

        services.AddSingleton<StatusTitles>();
        services.AddTransient<IConfigureOptions<MvcOptions>, LocalizedModelBindingMessages>();
        services.AddTransient<IConfigureOptions<ProblemDetailsOptions>, LocalizedProblemTitles>();

        return mvc
            .AddViewLocalization()
            // Every validation attribute's message and every [Display] name is a key in one shared resource.
            .AddDataAnnotationsLocalization(annotations => annotations.DataAnnotationLocalizerProvider =
                (_, factory) => factory.Create(typeof(ValidationMessages)));
    }

    /// <summary>Sets the request's culture first, so error pages and ProblemDetails speak the reader's language too.</summary>
    public static WebApplication UseChatLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }
}
