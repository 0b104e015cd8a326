using System.Linq;
using Google.Protobuf;
using Grpc.Core;
using Mint.Dsl;

namespace Mint.Protocol.Errors;

/// <summary>
/// The <c>mint-error-bin</c> trailer: a <see cref="V1.MintError"/> beside the gRPC status, so a client
/// can rebuild the exception the engine threw (the same message, the same violations) instead of a
/// bare status code.
/// </summary>
public static class ErrorTrailer
{
    /// <summary>The trailer's key (binary, hence the <c>-bin</c> suffix).</summary>
    public const string Key = "mint-error-bin";

    /// <summary>Trailers carrying <paramref name="error"/>.</summary>
    public static Metadata ToTrailers(V1.MintError error) => new() { { Key, error.ToByteArray() } };

    /// <summary>The error a failed call carried, or null when it carried none (or an unreadable one).</summary>
    public static V1.MintError? Read(Metadata? trailers)
    {
        var entry = trailers?.Get(Key);
        if (entry is null || !entry.IsBinary)
        {
            return null;
        }

        try
        {
            return V1.MintError.Parser.ParseFrom(entry.ValueBytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>The longest message the trailer carries; longer ones are cut.</summary>
    public const int MaxMessageLength = 16 * 1024;

    /// <summary>The longest key or reason the trailer carries (a key is the client's own text); longer ones are cut.</summary>
    public const int MaxFieldLength = 1024;

    /// <summary>
    /// The error for a rejected batch, config or request: the first <see cref="BatchValidationException.MaxListed"/>
    /// violations and the total count, so the trailer stays small however bad the batch.
    /// </summary>
    public static V1.MintError FromValidation(BatchValidationException error)
    {
        var wire = new V1.MintError
        {
            Kind = V1.ErrorKind.BatchValidation,
            Message = Cut(error.Message, MaxMessageLength),
            Operation = Cut(error.Operation, MaxFieldLength),
            TotalViolations = error.TotalCount,
        };
        foreach (var violation in error.Violations.Take(BatchValidationException.MaxListed))
        {
            var encoded = new V1.Violation { Reason = Cut(violation.Reason, MaxFieldLength) };
            if (violation.DatumIndex is int index)
            {
                encoded.DatumIndex = index;
            }

            if (violation.Key is string key)
            {
                encoded.Key = Cut(key, MaxFieldLength);
            }

            wire.Violations.Add(encoded);
        }

        return wire;
    }

    /// <summary>The validation exception <paramref name="error"/> describes, rebuilt as the engine threw it.</summary>
    public static BatchValidationException ToValidation(V1.MintError error) => new(
        error.Operation,
        error.Violations
            .Select(violation => new BatchViolation(
                violation.HasDatumIndex ? violation.DatumIndex : null,
                violation.HasKey ? violation.Key : null,
                violation.Reason))
            .ToList(),
        error.TotalViolations);

    /// <summary><paramref name="text"/>, cut to <paramref name="maxLength"/> characters.</summary>
    public static string Cut(string text, int maxLength) => text.Length <= maxLength ? text : text[..maxLength] + " …";
}
