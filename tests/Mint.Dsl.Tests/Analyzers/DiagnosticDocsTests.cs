using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Mint.Dsl.Generators.Diagnostics;
using Mint.Dsl.Tests.Support;
using Xunit;

namespace Mint.Dsl.Tests.Analyzers;

/// <summary>Every diagnostic in the catalog has its page under docs/diagnostics and a row in the index.</summary>
public sealed class DiagnosticDocsTests
{
    [Fact]
    public void Every_descriptor_has_a_docs_page_with_its_title_and_a_row_in_the_index()
    {
        var descriptors = typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
            .ToList();
        var folder = Path.Combine(RepositoryPaths.Root, "docs", "diagnostics");
        var index = File.ReadAllText(Path.Combine(folder, "README.md"));

        Assert.Contains(descriptors, descriptor => descriptor.Id == "MINT019");
        Assert.Equal(descriptors.Count, descriptors.Select(descriptor => descriptor.Id).Distinct().Count());
        Assert.All(descriptors, descriptor =>
        {
            var page = Path.Combine(folder, descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no page {page}");
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", File.ReadAllText(page));
            Assert.Contains($"[{descriptor.Id}]({descriptor.Id}.md)", index);
        });
    }
}
