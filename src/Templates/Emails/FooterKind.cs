namespace Newsletter.Templates.Emails;

/// <summary>Which email a footer closes; the wording differs, the postal address is in all of them.</summary>
public enum FooterKind
{
    Edition,
    EditionWeb,
    Confirmation,
    Welcome,
    Goodbye,
}
