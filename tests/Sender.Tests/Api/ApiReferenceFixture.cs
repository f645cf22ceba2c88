using System.Net;
using System.Text.Json.Nodes;
using Newsletter.Sender.Api;
using Newsletter.Sender.Tests.Admin;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Api;

/// <summary>One service for the reference's tests, and its OpenAPI document as read with the API key.</summary>
public sealed class ApiReferenceFixture : IAsyncLifetime
{
    public ServiceFactory Service { get; private set; } = null!;

    public JsonObject Document { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Service = await AdminTestSupport.CreateServiceAsync();
        using var api = Service.CreateApiClient();
        using var response = await api.GetAsync(ApiReferenceExtensions.DocumentPath);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Document = JsonNode.Parse(body)!.AsObject();
    }

    public Task DisposeAsync()
    {
        Service.Dispose();
        return Task.CompletedTask;
    }
}
