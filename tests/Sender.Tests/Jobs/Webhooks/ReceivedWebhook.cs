namespace Newsletter.Sender.Tests.Jobs.Webhooks;

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedWebhook(string RequestLine, IReadOnlyDictionary<string, string> Headers, string Body);
