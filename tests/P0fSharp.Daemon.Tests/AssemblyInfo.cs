using Xunit;

// Every test starts real processes (p0fsharp, p0f, tcpreplay, python3) in network namespaces;
// two classes at a time keeps a 2-core machine responsive without serialising everything.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]

// Network namespaces, veth, libpcap and unix sockets: these tests are Linux-only by nature.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
