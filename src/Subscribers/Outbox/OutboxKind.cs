namespace Newsletter.Subscribers;

/// <summary>Kinds of transactional mail.</summary>
public static class OutboxKind
{
    public const string Confirmation = "confirmation";
    public const string Welcome = "welcome";
    public const string Goodbye = "goodbye";
    public const string Test = "test";
}
