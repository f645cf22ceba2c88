namespace Newsletter.Sender.Editions;

public enum SmtpMode
{
    /// <summary>Send through an SMTP server (Smtp__Host/Smtp__Port).</summary>
    Smtp,

    /// <summary>Write each message as an .eml file into Smtp__PickupDirectory (local development).</summary>
    Pickup,
}
