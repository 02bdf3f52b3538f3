namespace SseChat.Web.Data;

/// <summary>Someone who may sign in to the admin area. Only a PasswordHasher hash is stored, never the password.</summary>
public class Administrator
{
    public const int UserNameMaxLength = 64;

    public int Id { get; set; }

    public required string UserName { get; set; }

    public string PasswordHash { get; set; } = "";

    /// <summary>Changes with the password, which signs out every session issued before.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>Set for a generated first password: the admin area insists on a new one first.</summary>
    public bool MustChangePassword { get; set; }

    public DateTime CreatedAt { get; set; }
}
