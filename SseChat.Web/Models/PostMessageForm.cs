using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using SseChat.Web.Chat;

namespace SseChat.Web.Models;

/// <summary>A form that names its sender: the typing notice, and the base of the compose form.</summary>
public class AuthorForm
{
    [FromForm(Name = "author")]
    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(MessageLimits.AuthorMaxLength, ErrorMessage = "Your name can be at most {1} characters.")]
    [NoControlCharacters]
    [WellFormedText]
    public string Author { get; set => field = value?.Trim() ?? ""; } = "";
}

/// <summary>The compose form. Binder names are the form fields of the contract, so validation errors name them.</summary>
public sealed class PostMessageForm : AuthorForm
{
    /// <summary>Stored exactly as sent: users' text is never altered, only judged.</summary>
    [FromForm(Name = "text")]
    [Required(ErrorMessage = "Write a message.")]
    [MessageText]
    [NoControlCharacters(AllowLineBreaks = true)]
    [WellFormedText]
    public string Text { get; set; } = "";

    [FromForm(Name = "clientMessageId")]
    [StringLength(MessageLimits.ClientMessageIdMaxLength, ErrorMessage = "clientMessageId can be at most {1} characters.")]
    [RegularExpression(@"^[\x21-\x7E]*$", ErrorMessage = "clientMessageId may hold only visible ASCII characters.")]
    public string? ClientMessageId { get; set => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }
}
