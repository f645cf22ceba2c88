namespace Newsletter.Templates;

/// <summary>
/// What the unsubscribe page shows: the question before the click (<see cref="Ask"/>) or what the click did, as the
/// host mapped it from the subscriber domain's outcome.
/// </summary>
public enum UnsubscribePageState
{
    /// <summary>Show the one-button confirmation form.</summary>
    Ask,
    Done,
    AlreadyUnsubscribed,
    Invalid,
}
