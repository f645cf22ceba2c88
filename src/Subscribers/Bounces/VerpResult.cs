namespace Newsletter.Subscribers;

/// <summary>What <see cref="VerpAddresses.TryRead"/> found in an address.</summary>
public enum VerpResult
{
    /// <summary>Not a return path of ours with a token.</summary>
    None,

    /// <summary>Ours, and the token verifies.</summary>
    Valid,

    /// <summary>Ours in shape, but the token does not verify (altered, invented, or signed with a retired key).</summary>
    Forged,
}
