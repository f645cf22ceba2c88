namespace Newsletter.Sender.Editions;

/// <summary>Whether editions carry an open-tracking pixel (<c>Tracking__Opens</c>).</summary>
public enum OpenTracking
{
    /// <summary>No pixel: Apple Mail Privacy Protection fetches every image, so opens say little.</summary>
    Off,

    /// <summary>A 1×1 image per edition, counted like clicks (fetches right after delivery counted apart).</summary>
    On,
}
