using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// A loopback TCP proxy in front of PostgreSQL, so a test can take the database away from one service process (every
/// connection reset, new ones refused) and give it back, without stopping the server other tests share.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint target;
    private readonly ConcurrentDictionary<Socket, byte> open = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private volatile bool down;

    private TcpProxy(IPEndPoint target)
    {
        this.target = target;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public static TcpProxy Start(int targetPort) => new(new IPEndPoint(IPAddress.Loopback, targetPort));

    /// <summary>The database goes away: open connections are reset, new ones are closed at once.</summary>
    public void Cut()
    {
        down = true;
        foreach (var socket in open.Keys) Reset(socket);
    }

    public void Restore() => down = false;

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await listener.AcceptSocketAsync(stop.Token); }
            catch (Exception) { return; }
            client.NoDelay = true;
            if (down) { Reset(client); continue; }
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        open[client] = 0;
        open[server] = 0;
        try
        {
            await server.ConnectAsync(target, stop.Token);
            await Task.WhenAny(CopyAsync(client, server), CopyAsync(server, client));
        }
        catch (Exception) { }
        finally
        {
            Reset(client);
            Reset(server);
        }
    }

    private async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
            if (n == 0 || down) return;
            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, stop.Token);
        }
    }

    private void Reset(Socket socket)
    {
        open.TryRemove(socket, out _);
        try { socket.LingerState = new LingerOption(true, 0); } catch (Exception) { }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try { await accepting; } catch (Exception) { }
        foreach (var socket in open.Keys) Reset(socket);
        stop.Dispose();
    }
}
