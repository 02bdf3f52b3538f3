using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Chat;

namespace SseChat.Web.Models;

/// <summary>A form that names its sender: the typing notice, and the base of the compose form.</summary>
public class AuthorForm
{
    [FromForm(Name = "author")]
    [Required(ErrorMessage = "AuthorRequired")]
    [StringLength(MessageLimits.AuthorMaxLength, ErrorMessage = "AuthorTooLong")]
    [Display(Name = "Author")]
    [NoControlCharacters]
    [NoFormatCharacters]
    [WellFormedText]
    [NotAnAdministratorsName]
    public string Author { get; set => field = value?.Trim() ?? ""; } = "";
}

/// <summary>The compose form. Binder names are the form fields of the contract, so validation errors name them.</summary>
public sealed class PostMessageForm : AuthorForm
{
    /// <summary>Stored exactly as sent: users' text is never altered, only judged.</summary>
    [FromForm(Name = "text")]
    [Required(ErrorMessage = "TextRequired")]
    [Display(Name = "Text")]
    [MessageText]
    [NoControlCharacters(AllowLineBreaks = true)]
    [WellFormedText]
    public string Text { get; set; } = "";

    [FromForm(Name = "clientMessageId")]
    [StringLength(MessageLimits.ClientMessageIdMaxLength, ErrorMessage = "ClientMessageIdTooLong")]
    [RegularExpression(@"^[\x21-\x7E]*$", ErrorMessage = "ClientMessageIdNotAscii")]
    public string? ClientMessageId { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }
}
