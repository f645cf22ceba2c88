namespace Newsletter.Subscribers;

/// <summary>An SNS subscription confirmation: recorded, never fetched (the operator confirms it by hand).</summary>
public sealed record SnsSubscription(string TopicArn, string? SubscribeUrl, string? MessageId);
