namespace Mint.Protocol;

/// <summary>Sizes both ends of the protocol agree on unless configured otherwise.</summary>
public static class ProtocolLimits
{
    /// <summary>
    /// The largest message either side sends or accepts by default: 256 MiB. gRPC's own default
    /// (4 MiB) would cut off batches of a few hundred thousand tokens.
    /// </summary>
    public const int DefaultMaxMessageBytes = 256 * 1024 * 1024;
}
