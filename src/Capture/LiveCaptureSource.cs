using P0fSharp.Capture.Native;
using SharpPcap;
using SharpPcap.LibPcap;

namespace P0fSharp.Capture;

/// <summary>Settings for <see cref="LiveCaptureSource.Open"/>. Defaults follow p0f 3.09b.</summary>
public sealed record LiveCaptureOptions
{
    /// <summary>Interface name (<c>-i</c>); null means libpcap's default device, as p0f does.</summary>
    public string? Interface { get; init; }

    /// <summary>Promiscuous mode (<c>-p</c>).</summary>
    public bool Promiscuous { get; init; }

    /// <summary>Snapshot length; p0f uses 65535.</summary>
    public int SnapLength { get; init; } = PacketDecoder.SnapLength;

    /// <summary>Read timeout in milliseconds; p0f uses 5.</summary>
    public int ReadTimeoutMilliseconds { get; init; } = 5;

    /// <summary>libpcap immediate mode (p0f does not use it).</summary>
    public bool Immediate { get; init; }

    /// <summary>
    /// Kernel capture buffer in bytes (<c>pcap_set_buffer_size</c>); 0 keeps libpcap's default.
    /// p0f keeps libpcap's default (2 MiB on Linux); P0fSharp defaults to 32 MiB to avoid drops under load.
    /// </summary>
    public int BufferSize { get; init; } = 32 * 1024 * 1024;
}

/// <summary>
/// Live capture on one interface: opened through SharpPcap, read by a dedicated capture
/// thread with an allocation-free non-blocking <c>pcap_next_ex</c> + <c>poll</c> loop
/// (<see cref="LiveCaptureLoop"/>), stopped by a flag the loop checks at least every 10 ms
/// (plus <c>pcap_breakloop</c>), counters read with P0fSharp's own <c>pcap_stats</c> import.
/// </summary>
public sealed class LiveCaptureSource : IDisposable
{
    private readonly LibPcapLiveDevice _device;
    private readonly StopSignal _stop = new();
    private readonly Lock _sync = new();
    private Thread? _thread;
    private CaptureRunResult? _result;
    private CaptureStatistics _finalStatistics;
    private bool _disposed;
    private bool _active;
    private long _packets;

    private LiveCaptureSource(LibPcapLiveDevice device, string name, bool isDefault, int linkType)
    {
        _device = device;
        InterfaceName = name;
        IsDefaultInterface = isDefault;
        LinkType = linkType;
    }

    /// <summary>Interface being captured.</summary>
    public string InterfaceName { get; }

    /// <summary>True when no interface was given and libpcap's default was used
    /// (p0f: <c>[+] Intercepting traffic on default interface 'X'.</c>).</summary>
    public bool IsDefaultInterface { get; }

    /// <summary><c>pcap_datalink()</c> of the open handle.</summary>
    public int LinkType { get; }

    /// <summary>The installed filter, or null when none was applied.</summary>
    public CaptureFilter? Filter { get; private set; }

    /// <summary>True while the capture thread runs.</summary>
    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Packets handed to the callback so far, across runs (updated by the capture thread).</summary>
    public long PacketsCaptured => Interlocked.Read(ref _packets);

    /// <summary>The result of the last run, once the capture thread has ended.</summary>
    public CaptureRunResult? Result
    {
        get
        {
            lock (_sync)
            {
                return _result;
            }
        }
    }

    /// <summary>
    /// Opens the interface (snaplen, promiscuous, read timeout, buffer size, immediate mode).
    /// </summary>
    /// <exception cref="CaptureOpenException">
    /// <c>libpcap is out of ideas; use -i to specify interface.</c> when there is no default
    /// device, or <c>pcap_open_live: &lt;device&gt;: &lt;reason&gt;</c> in libpcap's words.
    /// </exception>
    public static LiveCaptureSource Open(LiveCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PcapNative.EnsureInitialized();

        bool isDefault = options.Interface is null;
        string name = options.Interface
            ?? CaptureInterfaces.DefaultInterfaceName()
            ?? throw new CaptureOpenException("libpcap is out of ideas; use -i to specify interface.");

        LibPcapLiveDevice? device = null;
        foreach (LibPcapLiveDevice candidate in LibPcapLiveDeviceList.New())
        {
            if (candidate.Name == name)
            {
                device = candidate;
                break;
            }
        }

        if (device is null)
        {
            throw new CaptureOpenException("pcap_open_live: " + name + ": No such device exists (No such device exists)");
        }

        var configuration = new DeviceConfiguration
        {
            Snaplen = options.SnapLength,
            Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
            ReadTimeout = options.ReadTimeoutMilliseconds,
            BufferSize = options.BufferSize > 0 ? options.BufferSize : null,
            Immediate = options.Immediate ? true : null,
        };

        try
        {
            device.Open(configuration);
        }
        catch (PcapException ex)
        {
            string message = DescribeOpenFailure(device, name, ex);
            device.Dispose();
            throw new CaptureOpenException("pcap_open_live: " + message, null, ex);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            device.Dispose();
            throw CaptureOpenException.LibpcapNotLoaded(ex);
        }

        try
        {
            int linkType = PcapNative.DataLink(device.Handle);
            return new LiveCaptureSource(device, name, isDefault, linkType);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Installs p0f's filter (see <see cref="CaptureFilter.BuildExpression"/>).</summary>
    /// <exception cref="CaptureFilterException">The rule does not compile.</exception>
    public CaptureFilter ApplyFilter(string? userRule)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Filter = CaptureFilter.Install(_device.Handle, LinkType, userRule);
        return Filter;
    }

    /// <summary>
    /// Starts the dedicated capture thread (again after a <see cref="Stop"/>, if wanted).
    /// <paramref name="callback"/> runs on that thread for every packet;
    /// <paramref name="onTimeout"/> (optional) runs there after 10 ms without traffic
    /// (p0f flushes its log at that point) and at least once a second under steady traffic;
    /// <paramref name="completed"/> (optional) runs there when the loop ends. An exception
    /// from a callback ends the capture with <see cref="CaptureEndReason.CallbackFault"/>.
    /// </summary>
    public void Start(PacketCallback callback, Action? onTimeout = null, Action<CaptureRunResult>? completed = null)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var handler = new CaptureLoop.CallbackHandler(callback);
        StartThread(handler, onTimeout, completed);
    }

    /// <summary>As <see cref="Start(PacketCallback, Action?, Action{CaptureRunResult}?)"/> with a struct or class handler.</summary>
    public void Start<THandler>(THandler handler, Action? onTimeout = null, Action<CaptureRunResult>? completed = null)
        where THandler : IPacketHandler
    {
        ArgumentNullException.ThrowIfNull(handler);
        StartThread(handler, onTimeout, completed);
    }

    /// <summary>
    /// Runs the capture loop on the calling thread until <see cref="Stop"/> (from another
    /// thread), an interface error, or a handler exception (which propagates).
    /// </summary>
    public CaptureRunResult Run<THandler>(ref THandler handler, Action? onTimeout = null)
        where THandler : IPacketHandler, allows ref struct
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_sync)
        {
            if (_thread is not null && _thread.IsAlive)
            {
                throw new InvalidOperationException("The capture thread is already running.");
            }

            _stop.Reset();
            _result = null;
        }

        CaptureRunResult result = Loop(ref handler, onTimeout);
        Complete(result);
        return result;
    }

    /// <summary>
    /// Stops the capture: sets the stop flag, wakes a blocked <c>pcap_next_ex</c> with
    /// <c>pcap_breakloop</c>, and waits for the capture thread. Safe from any thread and
    /// when not running. Returns false if the thread did not end within <paramref name="timeout"/>.
    /// </summary>
    public bool Stop(TimeSpan? timeout = null)
    {
        Thread? thread;
        lock (_sync)
        {
            thread = _thread;
            _stop.Request();
            if (!_disposed && _active)
            {
                using var lease = new HandleLease(_device.Handle);
                PcapNative.pcap_breakloop(lease.Pointer);
            }
        }

        if (thread is null || thread == Thread.CurrentThread)
        {
            return true;
        }

        return thread.Join(timeout ?? TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Current libpcap counters (<c>pcap_stats</c>), from any thread. After the handle is
    /// closed, the last values read when the capture ended.
    /// </summary>
    /// <exception cref="CaptureOpenException">libpcap refused (text from pcap_geterr).</exception>
    public unsafe CaptureStatistics GetStatistics()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return _finalStatistics;
            }

            using var lease = new HandleLease(_device.Handle);
            PcapNative.PcapStat stat = default;
            if (PcapNative.pcap_stats(lease.Pointer, &stat) != 0)
            {
                throw new CaptureOpenException("pcap_stats: " + PcapNative.GetError(lease.Pointer));
            }

            _finalStatistics = new CaptureStatistics(stat.Received, stat.Dropped, stat.InterfaceDropped);
            return _finalStatistics;
        }
    }

    /// <summary>Stops the capture (if running) and closes the handle.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Stop();
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                GetStatistics();
            }
            catch (CaptureOpenException)
            {
                // Keep the previous counters.
            }

            _disposed = true;
        }

        _device.Dispose();
    }

    private static string DescribeOpenFailure(LibPcapLiveDevice device, string name, PcapException ex)
    {
        // Mirror pcap_open_live()'s own error text: "dev: reason" / "dev: status (reason)".
        string detail;
        try
        {
            detail = device.Handle.IsInvalid || device.Handle.IsClosed ? string.Empty : device.LastError;
        }
        catch (PcapException)
        {
            detail = string.Empty;
        }

        int status = (int)ex.Error;
        if (status == PcapNative.StatusNoSuchDevice
            || status == PcapNative.StatusPermissionDenied
            || status == PcapNative.StatusPromiscuousPermissionDenied)
        {
            return name + ": " + PcapNative.StatusToString(status) + " (" + detail + ")";
        }

        if (status < 0 && status != PcapNative.StatusError)
        {
            return name + ": " + PcapNative.StatusToString(status);
        }

        return name + ": " + (detail.Length > 0 ? detail : ex.Message);
    }

    private void StartThread<THandler>(THandler handler, Action? onTimeout, Action<CaptureRunResult>? completed)
        where THandler : IPacketHandler
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null && _thread.IsAlive)
            {
                throw new InvalidOperationException("The capture thread is already running.");
            }

            _stop.Reset();
            _result = null;
            _thread = new Thread(() => ThreadMain(handler, onTimeout, completed))
            {
                IsBackground = true,
                Name = "p0fsharp-capture-" + InterfaceName,
            };
            _thread.Start();
        }
    }

    private void ThreadMain<THandler>(THandler handler, Action? onTimeout, Action<CaptureRunResult>? completed)
        where THandler : IPacketHandler
    {
        CaptureRunResult result;
        try
        {
            result = Loop(ref handler, onTimeout);
        }
#pragma warning disable CA1031 // The capture thread must not die with an unhandled exception; the fault is reported.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = new CaptureRunResult(PacketsCaptured, CaptureEndReason.CallbackFault, ex.Message, ex);
        }

        Complete(result);
        completed?.Invoke(result);
    }

    private CaptureRunResult Loop<THandler>(ref THandler handler, Action? onTimeout)
        where THandler : IPacketHandler, allows ref struct
    {
        lock (_sync)
        {
            _active = true;
        }

        CaptureLoop.Exit exit;
        string? error;
        try
        {
            // The capture thread is the only writer of _packets; readers use Interlocked.Read.
            exit = LiveCaptureLoop.Run(_device.Handle, ref handler, _stop, onTimeout, ref _packets, out error);
        }
        finally
        {
            lock (_sync)
            {
                _active = false;
            }
        }

        return exit == CaptureLoop.Exit.Error
            ? new CaptureRunResult(PacketsCaptured, CaptureEndReason.Error, error)
            : new CaptureRunResult(PacketsCaptured, CaptureEndReason.Stopped);
    }

    private void Complete(CaptureRunResult result)
    {
        lock (_sync)
        {
            _result = result;
            if (!_disposed)
            {
                try
                {
                    GetStatistics();
                }
                catch (CaptureOpenException)
                {
                    // Keep the previous counters.
                }
            }
        }
    }
}
