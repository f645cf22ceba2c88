namespace Newsletter.Templates;

/// <summary>
/// What the confirm page shows. The subscriber domain decides what a confirmation did; the host maps that
/// outcome to this page state (this project does not depend on src/Subscribers).
/// </summary>
public enum ConfirmPageState
{
    /// <summary>The link is good: one button that posts the confirmation (GET confirms nothing; link scanners fetch links).</summary>
    Ask,
    Confirmed,
    AlreadyConfirmed,
    ExpiredOrInvalid,
}
