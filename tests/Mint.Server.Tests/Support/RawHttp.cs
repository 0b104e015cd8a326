using System;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace Mint.Server.Tests.Support;

/// <summary>
/// HTTP/1.1 over a bare socket, for requests a server refuses while they are still being sent. An
/// HTTP client stops at the failed write (the server closed the connection after answering); here
/// the answer is read alongside the writes, so it is seen whatever happens to the upload.
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="head"/> (request line and headers) and <paramref name="body"/>; the answer's status and text.</summary>
    public static async Task<(int Status, string Answer)> SendAsync(Uri server, string head, byte[] body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var reading = ReadAllAsync(stream);
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            for (var offset = 0; offset < body.Length && !reading.IsCompleted; offset += 64 * 1024)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(64 * 1024, body.Length - offset)));
            }
        }
        catch (IOException)
        {
            // The server stopped reading and closed: its answer is what matters.
        }

        var answer = await reading.WaitAsync(TimeSpan.FromSeconds(60));
        var status = answer.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(answer.AsSpan(9, 3), provider: null) : 0;
        return (status, answer);
    }

    /// <summary>A chunked request body (<c>Transfer-Encoding: chunked</c>) holding <paramref name="content"/>.</summary>
    public static byte[] Chunked(byte[] content)
    {
        using var body = new MemoryStream();
        for (var offset = 0; offset < content.Length; offset += 64 * 1024)
        {
            var length = Math.Min(64 * 1024, content.Length - offset);
            body.Write(Encoding.ASCII.GetBytes($"{length:X}\r\n"));
            body.Write(content, offset, length);
            body.Write("\r\n"u8);
        }

        body.Write("0\r\n\r\n"u8);
        return body.ToArray();
    }

    private static async Task<string> ReadAllAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // Reset after the answer: keep what arrived.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
