using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mint.Protocol.Tinker.Wire;

/// <summary>
/// Reads and writes <see cref="TensorData"/>. Its <c>data</c> is a list of ints or of floats,
/// which only the <c>dtype</c> beside it tells apart, so the object is handled as a whole: int64
/// values stay exact 64-bit integers and float32 values are written as the shortest float text.
/// </summary>
internal sealed class TensorDataConverter : JsonConverter<TensorData>
{
    public override TensorData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A tensor must be a JSON object with 'data' and 'dtype'.");
        }

        string? dtype = null;
        List<double>? numbers = null;
        List<long>? integers = null;
        long[]? shape = null, crow = null, col = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "data":
                    (numbers, integers) = ReadValues(ref reader);
                    break;
                case "dtype":
                    dtype = reader.GetString();
                    break;
                case "shape":
                    shape = ReadLongs(ref reader, "shape");
                    break;
                case "sparse_crow_indices":
                    crow = ReadLongs(ref reader, "sparse_crow_indices");
                    break;
                case "sparse_col_indices":
                    col = ReadLongs(ref reader, "sparse_col_indices");
                    break;
                default:
                    throw new JsonException($"A tensor has no field '{name}' (known: data, dtype, shape, sparse_crow_indices, sparse_col_indices).");
            }
        }

        if (dtype is null || numbers is null)
        {
            throw new JsonException("A tensor needs both 'data' and 'dtype'.");
        }

        return new TensorData
        {
            Dtype = dtype,
            Integers = dtype == TensorData.Int64 ? integers?.ToArray() ?? throw new JsonException("An int64 tensor's data must be integers.") : null,
            Floats = dtype == TensorData.Int64 ? null : numbers.ToArray(),
            Shape = shape,
            SparseCrowIndices = crow,
            SparseColIndices = col,
        };
    }

    public override void Write(Utf8JsonWriter writer, TensorData value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data");
        if (value.Integers is not null)
        {
            foreach (var item in value.Integers)
            {
                writer.WriteNumberValue(item);
            }
        }
        else if (value.Floats is not null)
        {
            foreach (var item in value.Floats)
            {
                WriteFloat(writer, (float)item);
            }
        }

        writer.WriteEndArray();
        writer.WriteString("dtype", value.Dtype);
        WriteLongs(writer, "shape", value.Shape);
        WriteLongs(writer, "sparse_crow_indices", value.SparseCrowIndices);
        WriteLongs(writer, "sparse_col_indices", value.SparseColIndices);
        writer.WriteEndObject();
    }

    private static void WriteFloat(Utf8JsonWriter writer, float item)
    {
        // JSON has no NaN or infinity; Python's json module reads these literals, as the SDK's own server does.
        if (float.IsNaN(item))
        {
            writer.WriteRawValue("NaN", skipInputValidation: true);
        }
        else if (float.IsInfinity(item))
        {
            writer.WriteRawValue(item > 0 ? "Infinity" : "-Infinity", skipInputValidation: true);
        }
        else
        {
            writer.WriteNumberValue(item);
        }
    }

    private static (List<double> Numbers, List<long>? Integers) ReadValues(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A tensor's 'data' must be a flat list of numbers.");
        }

        var numbers = new List<double>();
        List<long>? integers = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                numbers.Add(reader.GetString() switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    var text => throw new JsonException($"A tensor's 'data' holds the string '{text}'."),
                });
                integers = null;
                continue;
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException("A tensor's 'data' must be a flat list of numbers (nested lists are not accepted; send 'shape').");
            }

            if (integers is not null && reader.TryGetInt64(out var integer))
            {
                integers.Add(integer);
                numbers.Add(integer);
            }
            else
            {
                integers = null;
                numbers.Add(reader.GetDouble());
            }
        }

        return (numbers, integers);
    }

    private static long[]? ReadLongs(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"A tensor's '{field}' must be a list of integers.");
        }

        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
                ? value
                : throw new JsonException($"A tensor's '{field}' must be a list of integers."));
        }

        return values.ToArray();
    }

    private static void WriteLongs(Utf8JsonWriter writer, string name, long[]? values)
    {
        if (values is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }
}
