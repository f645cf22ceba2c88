namespace Newsletter.Subscribers;

/// <summary>What a confirmation link did (the subscriber domain's meaning; the page maps it to what it shows).</summary>
public enum ConfirmOutcome
{
    Confirmed,
    AlreadyConfirmed,
    ExpiredOrInvalid,
}
