using System;
using System.Linq;
using Mint.GpuRunner;

// eng/gpu-check.sh runs this on the GPU machine:
//   GpuRunner check                      the CUDA-marked tests
//   GpuRunner bench <options>            one GPU benchmark configuration, one JSON line on stdout
return args.FirstOrDefault() switch
{
    "check" => CudaTestRunner.Run(),
    "bench" => GpuBenchmark.Run(BenchmarkSettings.Parse(args.Skip(1).ToArray())),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: GpuRunner check | bench --shape qwen3-1.7b|small --batch N --tokens N --dtype float32|bfloat16 [--tf32] [--checkpointing] [--steps N] [--custom] [--device cuda|cpu]");
    return 2;
}
