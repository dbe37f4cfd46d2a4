// p0f is a Unix tool and so is P0fSharp: unix sockets, file modes, libpcap.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("freebsd")]
