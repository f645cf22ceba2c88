namespace Newsletter.Subscribers;

/// <summary>What a signup did.</summary>
public enum SignupStatus
{
    /// <summary>Accepted; whatever the address's status, the answer to the reader is the same.</summary>
    Accepted,
    Invalid,
    RateLimited,
}
