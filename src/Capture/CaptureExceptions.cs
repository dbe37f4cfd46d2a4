namespace P0fSharp.Capture;

/// <summary>
/// A capture source could not be opened. <see cref="Exception.Message"/> is p0f's text for the
/// same failure (e.g. <c>Can't access file 'x.pcap'.</c>, <c>pcap_open_offline: unknown file format</c>,
/// <c>pcap_open_live: eth9: No such device exists (...)</c>).
/// </summary>
public sealed class CaptureOpenException : Exception
{
    public CaptureOpenException()
    {
    }

    public CaptureOpenException(string message)
        : base(message)
    {
    }

    public CaptureOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the operating-system error text p0f's PFATAL prints as "OS message".</summary>
    public CaptureOpenException(string message, string? osMessage, Exception? innerException = null)
        : base(message, innerException)
    {
        OsMessage = osMessage;
    }

    /// <summary>libpcap itself is missing or unusable (its library did not load).</summary>
    internal static CaptureOpenException LibpcapNotLoaded(Exception cause) =>
        new("libpcap could not be loaded: " + cause.Message, null, cause);

    /// <summary>
    /// strerror() text when the failure is a system-call error (p0f reports those as
    /// <c>[-] SYSTEM ERROR : message</c> plus <c>OS message : ...</c>); null otherwise.
    /// </summary>
    public string? OsMessage { get; }
}

/// <summary>
/// The BPF expression did not compile. <see cref="LibpcapMessage"/> is libpcap's error;
/// p0f prints <c>[-] pcap_compile: LibpcapMessage</c> then either
/// <c>Syntax error! See 'man tcpdump' for help on filters.</c> (user rule) or
/// <c>pcap_compile() didn't work, strange</c> (default rule).
/// </summary>
public sealed class CaptureFilterException : Exception
{
    public CaptureFilterException()
    {
    }

    public CaptureFilterException(string message)
        : base(message)
    {
    }

    public CaptureFilterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CaptureFilterException(string libpcapMessage, string expression, string? userRule, bool setFilterFailed)
        : base((setFilterFailed ? "pcap_setfilter: " : "pcap_compile: ") + libpcapMessage)
    {
        LibpcapMessage = libpcapMessage;
        Expression = expression;
        UserRule = userRule;
        SetFilterFailed = setFilterFailed;
    }

    /// <summary>libpcap's error text (pcap_geterr).</summary>
    public string LibpcapMessage { get; } = string.Empty;

    /// <summary>The last expression tried (the non-VLAN form when the VLAN form also failed).</summary>
    public string Expression { get; } = string.Empty;

    /// <summary>The user's rule, or null for the default filter.</summary>
    public string? UserRule { get; }

    /// <summary>True when compilation worked but pcap_setfilter failed (p0f: <c>pcap_setfilter() didn't work, strange.</c>).</summary>
    public bool SetFilterFailed { get; }

    /// <summary>p0f's fatal line that follows the <c>[-] pcap_compile: ...</c> line.</summary>
    public string P0fFatalText => SetFilterFailed
        ? "pcap_setfilter() didn't work, strange."
        : UserRule is null ? "pcap_compile() didn't work, strange" : "Syntax error! See 'man tcpdump' for help on filters.";
}
