using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>
/// A network namespace of the test's own with a veth pair inside it (10.253.0.1/30 and 10.253.0.2/30), so traffic
/// can come from a non-loopback address without touching any address of the machine: both addresses exist only in
/// this namespace, and Keyward's listening socket is created inside it (setns on one thread), then handed to
/// Kestrel. Needs root (as the tests have here and in CI). Deleted on dispose, which also removes the veth pair.
/// </summary>
internal sealed partial class NetworkNamespace : IDisposable
{
    public const string ServerAddress = "10.253.0.1";

    private const int CloneNewNet = 0x40000000;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetworkNamespace Create()
    {
        var ns = new NetworkNamespace("kwws" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)));
        Run("ip", "netns", "add", ns.Name);
        try
        {
            Run("ip", "-n", ns.Name, "link", "add", "kwa", "type", "veth", "peer", "name", "kwb");
            Run("ip", "-n", ns.Name, "addr", "add", ServerAddress + "/30", "dev", "kwa");
            Run("ip", "-n", ns.Name, "addr", "add", "10.253.0.2/30", "dev", "kwb");
            Run("ip", "-n", ns.Name, "link", "set", "kwa", "up");
            Run("ip", "-n", ns.Name, "link", "set", "kwb", "up");
            Run("ip", "-n", ns.Name, "link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>A listening TCP socket on <see cref="ServerAddress"/>:<paramref name="port"/> inside the namespace; returns its descriptor.</summary>
    public ulong Listen(int port)
    {
        ulong handle = 0;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                handle = ListenOnThisThread(port);
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? handle : throw new InvalidOperationException("could not listen inside the namespace", error);
    }

    /// <summary>A start info that runs <paramref name="file"/> inside the namespace.</summary>
    public ProcessStartInfo Exec(string file, params string[] args)
    {
        var info = new ProcessStartInfo("ip");
        foreach (var arg in new[] { "netns", "exec", Name, file }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    public void Dispose() => Run("ip", "netns", "del", Name);

    private ulong ListenOnThisThread(int port)
    {
        // setns changes only the calling thread's namespace; this thread switches in, makes the socket, switches back.
        using var original = File.OpenHandle("/proc/thread-self/ns/net");
        using var target = File.OpenHandle($"/var/run/netns/{Name}");
        Check(SetNamespace((int)target.DangerousGetHandle(), CloneNewNet));
        try
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(ServerAddress), port));
            socket.Listen(128);

            // Kestrel takes ownership of the descriptor.
            var handle = (ulong)socket.SafeHandle.DangerousGetHandle();
            socket.SafeHandle.SetHandleAsInvalid();
            return handle;
        }
        finally
        {
            Check(SetNamespace((int)original.DangerousGetHandle(), CloneNewNet));
        }
    }

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"setns failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int nstype);
}
