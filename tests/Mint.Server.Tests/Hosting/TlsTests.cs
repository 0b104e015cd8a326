using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using Mint.Client;
using Mint.Client.Transport;
using Mint.Dsl;
using Mint.Server.Tests.Support;
using Xunit;

namespace Mint.Server.Tests.Hosting;

/// <summary>TLS comes from standard Kestrel settings: a settings file with an HTTPS endpoint and a certificate.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task A_kestrel_https_endpoint_from_a_settings_file_serves_training_over_tls()
    {
        using var model = new ModelFolder();
        var folder = Directory.CreateTempSubdirectory("mint-tls-").FullName;
        try
        {
            using var certificate = SelfSigned();
            var pfx = Path.Combine(folder, "server.pfx");
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-password"));
            var settings = Path.Combine(folder, "tls.json");
            await File.WriteAllTextAsync(settings, $$"""
                {
                  "Kestrel": {
                    "Endpoints": {
                      "Tls": {
                        "Url": "https://127.0.0.1:0",
                        "Protocols": "Http2",
                        "Certificate": { "Path": "{{pfx}}", "Password": "test-password" }
                      }
                    }
                  }
                }
                """);

            await using var server = await RunningServer.StartAsync(model.Path, settingsFile: settings);
            var thumbprint = certificate.GetCertHashString();
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == thumbprint;
            await using var client = new ServiceClient(new GrpcTransport(new GrpcTransportOptions { ServerUrl = server.Url, HttpHandler = handler }));

            var training = await client.CreateLoraTrainingClientAsync(new LoraConfig(4));
            var result = await training.ForwardBackwardAsync(TrainingRuns.SftBatch(), LossFn.CrossEntropy);

            Assert.Equal(Uri.UriSchemeHttps, Assert.Single(server.Server.Addresses).Scheme);
            Assert.True(result.Loss > 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }
}
