using System;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using Mint.Engine.Tests.Support;
using static TorchSharp.torch;

namespace Mint.GpuRunner;

/// <summary>
/// Runs every <see cref="CudaFactAttribute"/> test compiled into this program, the way xunit would:
/// a fresh instance per test, disposed afterwards; an exception is a failure. No test host needed.
/// </summary>
internal static class CudaTestRunner
{
    public static int Run()
    {
        if (!cuda.is_available())
        {
            Console.WriteLine("FAIL CUDA is not available to TorchSharp: check LD_LIBRARY_PATH points at torch/lib of a CUDA PyTorch.");
            return 1;
        }

        var tests = typeof(CudaTestRunner).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods().Select(method => (Type: type, Method: method)))
            .Where(test => test.Method.GetCustomAttribute<CudaFactAttribute>() is not null)
            .OrderBy(test => test.Type.Name, StringComparer.Ordinal).ThenBy(test => test.Method.Name, StringComparer.Ordinal)
            .ToList();
        var failed = 0;
        foreach (var (type, method) in tests)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var instance = Activator.CreateInstance(type);
                try
                {
                    method.Invoke(instance, null);
                }
                finally
                {
                    (instance as IDisposable)?.Dispose();
                }

                Console.WriteLine($"PASS {type.Name}.{method.Name} ({watch.ElapsedMilliseconds} ms)");
            }
            catch (Exception error)
            {
                failed++;
                var cause = error is TargetInvocationException { InnerException: { } inner } ? inner : error;
                Console.WriteLine($"FAIL {type.Name}.{method.Name}: {cause.GetType().Name}: {cause.Message}");
            }
        }

        Console.WriteLine($"{tests.Count - failed} of {tests.Count} CUDA tests passed on {cuda.device_count()} device(s).");
        return failed == 0 && tests.Count > 0 ? 0 : 1;
    }
}
