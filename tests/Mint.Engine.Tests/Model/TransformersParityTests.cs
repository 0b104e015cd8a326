using System;
using System.Linq;
using Mint.Engine.Model;
using Mint.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mint.Engine.Tests.Model;

/// <summary>
/// The engine computes what Hugging Face transformers computes on folders transformers wrote: every
/// per-token log-prob within 1e-5 of transformers' float64 result, in the engine's float32 path.
/// </summary>
public sealed class TransformersParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Fixtures => new(TransformersFixture.Names);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Each_sequence_alone_matches_transformers(string name)
    {
        var fixture = TransformersFixture.Open(name);
        using var model = PretrainedModel.Load(fixture.Folder);
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();

        for (var index = 0; index < fixture.Sequences.Length; index++)
        {
            var sequence = fixture.Sequences[index].Select(token => (long)token).ToArray();
            var logprobs = decoder.TargetLogprobs(tensor(sequence[..^1]).unsqueeze(0), tensor(sequence[1..]).unsqueeze(0));
            AssertClose(fixture.Logprobs[index], logprobs[0].to(ScalarType.Float64).data<double>().ToArray(), $"{name} sequence {index}");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_right_padded_batch_of_all_sequences_matches_transformers(string name)
    {
        var fixture = TransformersFixture.Open(name);
        using var model = PretrainedModel.Load(fixture.Folder);
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();
        var width = fixture.Sequences.Max(sequence => sequence.Length) - 1;
        var inputs = zeros([fixture.Sequences.Length, width], ScalarType.Int64);
        var targets = zeros([fixture.Sequences.Length, width], ScalarType.Int64);
        for (var row = 0; row < fixture.Sequences.Length; row++)
        {
            var sequence = fixture.Sequences[row].Select(token => (long)token).ToArray();
            inputs[row, TensorIndex.Slice(0, sequence.Length - 1)] = tensor(sequence[..^1]);
            targets[row, TensorIndex.Slice(0, sequence.Length - 1)] = tensor(sequence[1..]);
        }

        var logprobs = decoder.TargetLogprobs(inputs, targets).to(ScalarType.Float64);

        for (var row = 0; row < fixture.Sequences.Length; row++)
        {
            var actual = logprobs[row].data<double>().Take(fixture.Sequences[row].Length - 1).ToArray();
            AssertClose(fixture.Logprobs[row], actual, $"{name} row {row}");
        }
    }

    [Fact]
    public void A_mistral_folder_computes_llamas_math()
    {
        // transformers' MistralForCausalLM is LlamaForCausalLM without biases (and with a sliding window, here
        // none): the same weights give the Llama fixture's log-probs.
        var fixture = TransformersFixture.Open("llama-theta5e5");
        using var directory = new TempDirectory();
        var folder = fixture.CopyTo(directory);
        var configPath = System.IO.Path.Combine(folder, PretrainedModel.ConfigFile);
        var json = System.Text.Json.Nodes.JsonNode.Parse(System.IO.File.ReadAllText(configPath))!.AsObject();
        json["model_type"] = "mistral";
        json["architectures"] = new System.Text.Json.Nodes.JsonArray("MistralForCausalLM");
        json["sliding_window"] = null;
        json.Remove("attention_bias");
        json.Remove("mlp_bias");
        System.IO.File.WriteAllText(configPath, json.ToJsonString());
        using var model = PretrainedModel.Load(folder);
        var decoder = new DecoderModel(model.Weights, null);
        using var noGrad = no_grad();

        var sequence = fixture.Sequences[3].Select(token => (long)token).ToArray();
        var logprobs = decoder.TargetLogprobs(tensor(sequence[..^1]).unsqueeze(0), tensor(sequence[1..]).unsqueeze(0));

        Assert.Equal("mistral", model.Config.ModelType);
        AssertClose(fixture.Logprobs[3], logprobs[0].to(ScalarType.Float64).data<double>().ToArray(), "mistral");
    }

    [Fact]
    public void A_config_the_engine_writes_reads_back_the_same()
    {
        var config = TinyModel.Config() with
        {
            ModelType = "qwen3", HeadDimension = 16, AttentionBias = true, RopeTheta = 1e6,
            RopeScaling = new RopeScaling("yarn", 4) { OriginalMaxPositionEmbeddings = 16, BetaFast = 16, Truncate = false },
        };
        using var directory = new TempDirectory();

        config.Save(directory.File("config.json"));

        Assert.Equal(config, ModelConfig.Load(directory.File("config.json")));
    }

    private void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var error = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{what}: max abs error {error:E2}");
        Assert.True(error <= Tolerance, $"{what}: max abs log-prob error {error:E2} > {Tolerance:E0}");
    }
}
