using System;

namespace Mint.Dsl;

/// <summary>
/// TorchSharp's native library could not be loaded; the message says why and what to do (typically:
/// the build did not apply Mint.Dsl's native-library fix because the project references Mint.Dsl's
/// projects from outside its repository instead of the package).
/// </summary>
public sealed class NativeLibraryException(string message, Exception innerException) : MintException(message, innerException);
