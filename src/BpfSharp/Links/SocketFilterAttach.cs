using System.Net.Sockets;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>SocketFilterAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class SocketFilterAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a socket filter program to a socket with SO_ATTACH_BPF: it then sees every packet the socket
        /// receives and returns how many bytes of it to keep (0 drops it). The socket holds the program, so the
        /// attachment lasts as long as the socket, or until the result is disposed (SO_DETACH_BPF). A socket has
        /// one filter: attaching another replaces it.
        /// </summary>
        public SocketFilterAttachment AttachSocketFilter(Socket socket)
        {
            ArgumentNullException.ThrowIfNull(socket);
            return SocketFilterAttachment.Attach(program, socket.SafeHandle);
        }

        /// <summary>Attaches to the socket behind <paramref name="socket"/> (any handle whose value is a socket fd).</summary>
        public SocketFilterAttachment AttachSocketFilter(System.Runtime.InteropServices.SafeHandle socket)
        {
            ArgumentNullException.ThrowIfNull(socket);
            return SocketFilterAttachment.Attach(program, socket);
        }
    }
}
