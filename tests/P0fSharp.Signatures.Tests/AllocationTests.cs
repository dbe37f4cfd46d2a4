using P0fSharp.Signatures.Tcp;
using Xunit;

namespace P0fSharp.Signatures.Tests;

/// <summary>The per-packet paths (match + raw_sig + params) must not allocate.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Matching_and_formatting_do_not_allocate()
    {
        SignatureDatabase db = TestDb.Stock;
        TcpFingerprint[] packets =
        [
            RawSignatures.ToFingerprint("4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0", false, 0),
            RawSignatures.ToFingerprint("4:200+?:0:1400:4321,0:mss,nop,nop,sok:df,id+:0", false, 0),
            RawSignatures.ToFingerprint("4:64+0:0:1460:mss*20,0:mss,?30,?254,nop,nop:df,id+:0", false, 0),
            RawSignatures.ToFingerprint("4:128+0:0:1460:65535,0:mss,nop,nop,sok:id-:0", false, 0),
            RawSignatures.ToFingerprint("4:64+0:0:*:mss*10,7:mss,sok,ts,nop,ws:df:0", true, 1331),
        ];
        Span<char> raw = stackalloc char[TcpRawSignature.MaxLength];
        Span<char> pars = stackalloc char[TcpParams.MaxLength];

        int sink = Run(db, packets, raw, pars, 200);
        long before = GC.GetAllocatedBytesForCurrentThread();
        sink += Run(db, packets, raw, pars, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sink > 0);
    }

    private static int Run(SignatureDatabase db, TcpFingerprint[] packets, Span<char> raw, Span<char> pars, int iterations)
    {
        int total = 0;
        for (int i = 0; i < iterations; i++)
        {
            ref TcpFingerprint fp = ref packets[i % packets.Length];
            bool synAck = i % packets.Length == 4;
            TcpMatchResult m = db.MatchTcp(fp, synAck, synAck ? (ushort)1331 : (ushort)0);
            TcpRawSignature.TryFormat(fp, synAck, 1331, raw, out int n1);
            TcpParams.TryFormat(m, fp, pars, out int n2);
            total += n1 + n2 + m.Distance;
        }

        return total;
    }
}
