namespace Newsletter.Templates;

/// <summary>
/// What the confirm result page shows. The subscriber domain decides what a confirmation did; the host maps that
/// outcome to this page state (this project does not depend on src/Subscribers).
/// </summary>
public enum ConfirmPageState
{
    Confirmed,
    AlreadyConfirmed,
    ExpiredOrInvalid,
}
