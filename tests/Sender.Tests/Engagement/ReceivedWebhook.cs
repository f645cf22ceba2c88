namespace Newsletter.Sender.Tests.Engagement;

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedWebhook(string RequestLine, IReadOnlyDictionary<string, string> Headers, string Body);
