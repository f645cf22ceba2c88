namespace Newsletter.Sender.Editions;

/// <summary>What a click on an edition's link records (<c>Tracking__Clicks</c>).</summary>
public enum ClickTracking
{
    /// <summary>Clicks are counted per link per edition, tied to no reader.</summary>
    Anonymous,

    /// <summary>Also who clicked (the link carries the reader's signed token): the subscriber page and export show it.</summary>
    Individual,

    /// <summary>Links go straight to their targets; nothing is counted.</summary>
    Off,
}
