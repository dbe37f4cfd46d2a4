// Network namespaces, unix sockets with modes, rspamd: these tests exist only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
