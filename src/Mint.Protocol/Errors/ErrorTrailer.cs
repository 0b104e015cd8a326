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

    /// <summary>The error for a rejected batch, config or request.</summary>
    public static V1.MintError FromValidation(BatchValidationException error)
    {
        var wire = new V1.MintError
        {
            Kind = V1.ErrorKind.BatchValidation,
            Message = error.Message,
            Operation = error.Operation,
        };
        foreach (var violation in error.Violations)
        {
            var encoded = new V1.Violation { Reason = violation.Reason };
            if (violation.DatumIndex is int index)
            {
                encoded.DatumIndex = index;
            }

            if (violation.Key is string key)
            {
                encoded.Key = key;
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
            .ToList());
}
