using System.Runtime.InteropServices;

namespace P0fSharp.Capture.Native;

/// <summary>
/// Keeps a SafeHandle alive (DangerousAddRef) while its raw pointer is used, so a
/// concurrent Dispose cannot free the <c>pcap_t</c> under a native call.
/// </summary>
internal ref struct HandleLease
{
    private readonly SafeHandle _handle;
    private bool _added;

    public HandleLease(SafeHandle handle)
    {
        _handle = handle;
        _added = false;
        handle.DangerousAddRef(ref _added);
        Pointer = handle.DangerousGetHandle();
    }

    public nint Pointer { get; }

    public void Dispose()
    {
        if (_added)
        {
            _added = false;
            _handle.DangerousRelease();
        }
    }
}
