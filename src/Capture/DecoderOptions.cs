namespace P0fSharp.Capture;

/// <summary>Decoder switches. The defaults reproduce p0f 3.09b exactly.</summary>
public sealed record DecoderOptions
{
    /// <summary>p0f-exact behaviour.</summary>
    public static DecoderOptions P0fCompatible { get; } = new();

    /// <summary>
    /// Deliberate improvement over p0f (off by default). When set: Ethernet frames carrying
    /// 802.1Q / 802.1ad (QinQ) tags (TPID 0x8100, 0x88a8, 0x9100, any depth) are decoded
    /// past the tags instead of being dropped; the same tag walk is applied after the Linux
    /// cooked (SLL) protocol field; and Linux cooked v2 (<see cref="LinkTypes.LinuxSll2"/>,
    /// 20-byte header) uses its real header length instead of p0f's offset auto-detection.
    /// </summary>
    public bool DecodeVlan { get; init; }
}
