using System;
using Mint.Dsl;
using Mint.Engine.Compute;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Compute;

/// <summary>Device and precision settings: what they accept, and the errors for what they cannot honour.</summary>
public sealed class EngineOptionsTests
{
    [Theory]
    [InlineData("float32", WeightPrecision.Float32)]
    [InlineData("FP32", WeightPrecision.Float32)]
    [InlineData("bfloat16", WeightPrecision.BFloat16)]
    [InlineData("bf16", WeightPrecision.BFloat16)]
    [InlineData("float16", WeightPrecision.Float16)]
    [InlineData("half", WeightPrecision.Float16)]
    public void Weight_precision_names_parse(string name, WeightPrecision expected) =>
        Assert.Equal(expected, WeightPrecisions.Parse(name, "--dtype"));

    [Theory]
    [InlineData("int8")]
    [InlineData("")]
    [InlineData("float64")]
    public void An_unknown_weight_precision_is_an_error_naming_the_setting_and_the_choices(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => WeightPrecisions.Parse(name, "--dtype"));
        Assert.Contains("--dtype", error.Message);
        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("bfloat16", error.Message);
    }

    [Fact]
    public void Weight_precisions_map_to_libtorch_types()
    {
        Assert.Equal(ScalarType.Float32, WeightPrecision.Float32.ToScalarType());
        Assert.Equal(ScalarType.BFloat16, WeightPrecision.BFloat16.ToScalarType());
        Assert.Equal(ScalarType.Float16, WeightPrecision.Float16.ToScalarType());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((WeightPrecision)7).ToScalarType());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:one")]
    [InlineData("mps")]
    public void A_malformed_device_name_is_an_error_naming_the_setting(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(name, "--device"));
        Assert.Contains("--device", error.Message);
        Assert.Contains("cpu, cuda or cuda:N", error.Message);
    }

    [Fact]
    public void Cpu_parses_in_any_case() => Assert.Equal(TorchSharp.DeviceType.CPU, ComputeDevice.Parse(" CPU ", "--device").type);

    [Fact]
    public void A_cuda_device_this_process_cannot_use_is_an_error_that_says_why()
    {
        // Without CUDA: "not available"; with it, an index past the last GPU.
        var name = cuda.is_available() ? $"cuda:{cuda.device_count()}" : "cuda";
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(name, "--device"));
        Assert.Contains(cuda.is_available() ? "CUDA device(s)" : "CUDA is not available", error.Message);
    }

    [Fact]
    public void Chunk_size_must_be_positive()
    {
        var error = Assert.Throws<ArgumentException>(() => new EngineOptions { LogprobChunkTokens = 0 }.Check());
        Assert.Contains("LogprobChunkTokens", error.Message);
    }

    [Fact]
    public void Adapters_on_another_device_than_the_weights_are_refused_naming_both()
    {
        // The meta device stands in for a second device: it exists in every libtorch build.
        using var model = TinyModel.Load();
        using var adapters = new LoraAdapters(model.Config, new LoraConfig(4), device("meta"));
        var error = Assert.Throws<ArgumentException>(() => new DecoderModel(model.Weights, adapters));
        Assert.Contains("meta", error.Message);
        Assert.Contains("cpu", error.Message);
    }

    [Fact]
    public void Engine_options_that_disagree_with_the_loaded_model_are_refused_naming_both()
    {
        using var model = TinyModel.Load();
        var mismatch = Assert.Throws<ArgumentException>(() => new MintEngine(model, new EngineOptions { Device = device("meta") }));
        Assert.Contains("meta", mismatch.Message);
        Assert.Contains("cpu", mismatch.Message);

        var precision = Assert.Throws<ArgumentException>(() => new MintEngine(model, new EngineOptions { Precision = WeightPrecision.BFloat16 }));
        Assert.Contains("BFloat16", precision.Message);
        Assert.Contains("Float32", precision.Message);
    }

    [Fact]
    public void Loading_in_bfloat16_keeps_weights_in_bfloat16_and_adapters_and_moments_in_float32()
    {
        var folder = TinyModel.SaveFolder();
        try
        {
            using var engine = MintEngine.Load(folder, new EngineOptions { Precision = WeightPrecision.BFloat16 });
            Assert.Equal(ScalarType.BFloat16, engine.Model.Weights.DType);
            var session = engine.CreateSession(new LoraConfig(4));
            Assert.All(session.AdapterWeights().Values, tensor => Assert.Equal(ScalarType.Float32, tensor.dtype));
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}
