using System.Net;
using System.Net.Sockets;

namespace SseChat.Web.Security;

internal static class ClientAddress
{
    /// <summary>
    /// The address a per-client limit counts against. An IPv6 host usually owns a whole /64, so counting single
    /// addresses would hand it billions of fresh allowances.
    /// </summary>
    public static string Partition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>The partition of this request's client, as the forwarded-headers middleware left its address.</summary>
    public static string PartitionOf(HttpContext context) => Partition(context.Connection.RemoteIpAddress);
}
