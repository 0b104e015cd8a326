using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Mint.Client.Tests.Support;
using Mint.Dsl;
using Mint.Engine.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Mint.Client.Tests;

/// <summary>Where and in what precision a client computes custom losses: per client, and per call.</summary>
public sealed class LossOptionsTests : IAsyncLifetime
{
    private readonly EmbeddedService service = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await service.DisposeAsync();

    private static List<Datum> Batch() => [Data.Sft([1, 5, 9, 13, 17], [0, 1, 1, 0.5f]), Data.Sft([2, 4, 6], [1, 1])];

    [Fact]
    public async Task The_client_setting_applies_until_changed_and_a_call_can_override_it()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        Assert.Equal(LossPrecision.Float32, training.LossOptions.Precision);

        training.LossOptions = new LossComputeOptions { Precision = LossPrecision.Float64 };
        var inDouble = await training.ForwardBackwardCustomAsync(Batch(), TestLosses.PrecisionProbeLoss);
        var overridden = await training.ForwardBackwardCustomAsync(Batch(), TestLosses.PrecisionProbeLoss, LossComputeOptions.Default);
        var again = await training.ForwardBackwardCustomAsync(Batch(), TestLosses.PrecisionProbeLoss);

        Assert.Equal(64, inDouble.Metrics["bits"]);
        Assert.Equal(32, overridden.Metrics["bits"]);
        Assert.Equal(64, again.Metrics["bits"]);
    }

    [Fact]
    public async Task Null_options_are_refused()
    {
        var training = await service.Client.CreateLoraTrainingClientAsync();
        Assert.Throws<ArgumentNullException>(() => training.LossOptions = null!);
        await Assert.ThrowsAsync<ArgumentNullException>(() => training.ForwardBackwardCustomAsync(Batch(), TestLosses.PrecisionProbeLoss, null!));
    }

    [Fact]
    public void An_undefined_precision_is_refused_naming_the_choices()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LossComputeOptions { Precision = (LossPrecision)3 });
        Assert.Contains("Float32 or Float64", error.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    public void A_malformed_device_name_is_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => LossComputeOptions.Default.OnDevice(name));
        Assert.Contains($"'{name}'", error.Message);
    }

    [Fact]
    public async Task A_cuda_device_without_cuda_fails_before_anything_is_sent()
    {
        if (cuda.is_available())
        {
            return; // the CUDA tests cover this machine; the error only exists without CUDA
        }

        var training = await service.Client.CreateLoraTrainingClientAsync();
        service.Transport.Calls.Clear();
        var options = new LossComputeOptions { Device = new Device(TorchSharp.DeviceType.CUDA, 0) };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => training.ForwardBackwardCustomAsync(Batch(), TestLosses.PrecisionProbeLoss, options));
        Assert.Contains("CUDA is not available", error.Message);
        Assert.Empty(service.Transport.Calls);
    }
}
