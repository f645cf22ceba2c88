namespace Newsletter.Subscribers;

/// <summary>What an unsubscribe link did, or would do.</summary>
public enum UnsubscribeOutcome
{
    Unsubscribed,
    AlreadyUnsubscribed,
    Invalid,
}
